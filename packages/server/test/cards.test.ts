import { unzipSync } from 'fflate';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CardV2Schema,
  CardV3Schema,
  cardFromProfile,
  detectCardFormat,
  exportCard,
  importCard,
  parseCardJson,
  profileFromCard,
  readCharx,
  readPngCard,
  toV2,
  toV3,
  writeCharx,
  writePngCard,
} from '../src/cards/index.js';
import { v2Card, v3Card } from './card-fixtures.js';

/** Reads the tEXt chunks of a PNG independently of the code under test. */
function textChunks(png: Uint8Array): Map<string, string> {
  const buffer = Buffer.from(png);
  const chunks = new Map<string, string>();
  for (let offset = 8; offset < buffer.length;) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    expect(buffer.readUInt32BE(offset + 8 + length)).toBe(crc32(buffer.subarray(offset + 4, offset + 8 + length)));
    if (type === 'tEXt') {
      const nul = data.indexOf(0);
      chunks.set(data.toString('latin1', 0, nul), data.toString('latin1', nul + 1));
    }
    offset += 12 + length;
  }
  return chunks;
}

const decodeChunk = (value: string | undefined) =>
  JSON.parse(Buffer.from(value ?? '', 'base64').toString('utf8')) as unknown;

describe('character card JSON', () => {
  it('round-trips a V2 card with unknown fields, extensions and a lorebook unchanged', () => {
    const original = v2Card();
    const card = parseCardJson(JSON.stringify(original));
    expect(card.spec).toBe('chara_card_v2');
    expect(toV2(card)).toEqual(original);
    expect(CardV2Schema.safeParse(toV2(card)).success).toBe(true);
  });

  it('round-trips a V3 card with assets unchanged', () => {
    const original = v3Card();
    const card = parseCardJson(original);
    expect(card.spec).toBe('chara_card_v3');
    expect(toV3(card)).toEqual(original);
  });

  it('upgrades V2 to V3 with V3 required fields filled and everything else kept', () => {
    const v3 = toV3(parseCardJson(v2Card()));
    expect(CardV3Schema.safeParse(v3).success).toBe(true);
    expect(v3.spec_version).toBe('3.0');
    expect(v3.data.group_only_greetings).toEqual([]);
    expect(v3.data.character_book?.entries.map((entry) => entry.use_regex)).toEqual([false, false]);
    expect(v3.data['x_unknown_field']).toEqual({ nested: [1, 2, { deep: true }] });
    expect(v3.data.character_book?.entries[0]?.['unknown_entry_field']).toEqual([null, 'x']);
    // Back down to V2 and read again: same persona.
    expect(parseCardJson(toV2(parseCardJson(v3))).data).toEqual(parseCardJson(v3).data);
  });

  it('keeps V3-only fields when written as V2, so V2 → V3 → V2 → V3 loses nothing', () => {
    const v3 = v3Card();
    const v2 = toV2(parseCardJson(v3));
    expect(v2.data['assets']).toEqual(v3.data.assets);
    expect(toV3(parseCardJson(v2))).toEqual({ ...v3 });
  });

  it('imports V1 (flat) cards the way SillyTavern converts them', () => {
    const card = parseCardJson({
      name: 'Old',
      description: 'd',
      personality: 'p',
      scenario: 's',
      first_mes: 'hi',
      mes_example: 'ex',
      creatorcomment: 'notes',
      tags: 'a, b ,,c',
      talkativeness: 0.7,
    });
    expect(card.spec).toBe('chara_card_v1');
    expect(card.data).toMatchObject({ name: 'Old', first_mes: 'hi', creator_notes: 'notes', tags: ['a', 'b', 'c'] });
    expect(card.data.extensions).toEqual({ talkativeness: 0.7 });
    const v2 = toV2(card);
    expect(CardV2Schema.safeParse(v2).success).toBe(true);
    expect(v2.data.system_prompt).toBe('');
  });

  it('reads Pygmalion/Gradio cards too', () => {
    const card = parseCardJson({
      char_name: 'Py',
      char_persona: 'persona',
      char_greeting: 'yo',
      world_scenario: 'w',
      example_dialogue: 'e',
    });
    expect(card.data).toMatchObject({
      name: 'Py',
      description: 'persona',
      first_mes: 'yo',
      scenario: 'w',
      mes_example: 'e',
    });
  });

  it('keeps SillyTavern top-level copies in step with edits', () => {
    const original = parseCardJson(v2Card());
    const profile = { ...profileFromCard(original), name: 'Mira the Second' };
    const edited = cardFromProfile(profile, original);
    const v2 = toV2(edited);
    expect(v2['name']).toBe('Mira the Second');
    expect(v2['avatar']).toBe('none');
    expect(v2.data.name).toBe('Mira the Second');
  });
});

describe('profile mapping', () => {
  it('maps a card to a profile and back without losing unknown fields', () => {
    const original = parseCardJson(v3Card());
    const profile = profileFromCard(original);
    expect(profile).toMatchObject({
      name: 'Mira',
      greeting: '*waves* Come in out of the rain, {{user}}.',
      exampleDialogues: '<START>\n{{user}}: Hello\n{{char}}: Welcome.',
      alternateGreetings: ['Another stormy night...', 'The lamp flickers.'],
      systemPrompt: 'You are {{char}}.',
      postHistoryInstructions: 'Stay in character.',
      creatorNotes: 'Best with a slow burn.',
      characterVersion: '1.2',
    });
    expect(profile.lorebook?.entries).toHaveLength(2);
    expect(toV3(cardFromProfile(profile, original))).toEqual(v3Card());
  });

  it('builds a fresh V3 card from a profile alone', () => {
    const profile = { ...profileFromCard(parseCardJson(v2Card())), lorebook: null };
    const card = cardFromProfile(profile);
    const v3 = toV3(card);
    expect(CardV3Schema.safeParse(v3).success).toBe(true);
    expect(v3.data.character_book).toBeUndefined();
    expect(v3.data.first_mes).toBe(profile.greeting);
  });
});

describe('PNG cards', () => {
  it('writes chara (V2) and ccv3 (V3) chunks before IEND and reads the card back', () => {
    const card = parseCardJson(v3Card());
    const png = writePngCard(card);
    const chunks = textChunks(png);
    expect(decodeChunk(chunks.get('chara'))).toEqual(toV2(card));
    expect(decodeChunk(chunks.get('ccv3'))).toEqual(v3Card());
    // The last chunk is IEND and the generated image is a real 128x128 RGB image.
    expect(Buffer.from(png.subarray(png.length - 8, png.length - 4)).toString('latin1')).toBe('IEND');
    const ihdr = Buffer.from(png.subarray(16, 29));
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([128, 128, 8, 2]);

    const read = readPngCard(png);
    expect(read.chunk).toBe('ccv3');
    expect(toV3(read.card)).toEqual(v3Card());
    expect(textChunks(read.image).size).toBe(0);
  });

  it('prefers ccv3 over chara when both are present', () => {
    const v2 = v2Card();
    const png = writePngCard(parseCardJson(v2));
    // Replace the ccv3 chunk with a different card, keeping chara as it is.
    const other = { ...v3Card(), data: { ...v3Card().data, name: 'From V3' } };
    const rewritten = writePngWithChunks(png, { chara: toV2(parseCardJson(v2)), ccv3: other });
    const read = readPngCard(rewritten);
    expect(read.chunk).toBe('ccv3');
    expect(read.card.data.name).toBe('From V3');
  });

  it('reads a V2-only PNG and round-trips it', () => {
    const original = v2Card();
    const png = writePngWithChunks(writePngCard(parseCardJson(original)), { chara: original });
    const read = readPngCard(png);
    expect(read.chunk).toBe('chara');
    expect(toV2(read.card)).toEqual(original);
  });

  it('replaces existing card chunks in a given image and keeps its other chunks', () => {
    const first = writePngCard(parseCardJson(v2Card()));
    const renamed = parseCardJson({ ...v2Card(), data: { ...v2Card().data, name: 'Renamed' } });
    const second = writePngCard(renamed, first);
    const chunks = textChunks(second);
    expect([...chunks.keys()]).toEqual(['chara', 'ccv3']);
    expect(readPngCard(second).card.data.name).toBe('Renamed');
    // The pixels are the same image.
    expect(idat(second)).toEqual(idat(first));
  });

  it('reads a card from a zTXt chunk too', () => {
    const json = JSON.stringify(v2Card());
    const base = readPngCard(writePngCard(parseCardJson(v2Card()))).image;
    const compressed = new Uint8Array(zlibCompress(Buffer.from(Buffer.from(json).toString('base64'), 'latin1')));
    const data = Buffer.concat([Buffer.from('chara\0\0', 'latin1'), compressed]);
    const png = insertChunk(base, 'zTXt', data);
    expect(toV2(readPngCard(png).card)).toEqual(v2Card());
  });
});

describe('CHARX cards', () => {
  it('writes card.json and assets, and reads them back byte for byte', () => {
    const card = parseCardJson(v3Card());
    const icon = readPngCard(writePngCard(card)).image;
    const happy = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);
    const assets = new Map([
      ['assets/icon/images/main.png', icon],
      ['assets/emotion/images/happy.webp', happy],
    ]);
    const charx = writeCharx(card, assets);
    expect(Object.keys(unzipSync(charx)).sort()).toEqual([
      'assets/emotion/images/happy.webp',
      'assets/icon/images/main.png',
      'card.json',
    ]);
    const read = readCharx(charx);
    expect(toV3(read.card)).toEqual(v3Card());
    expect(read.assets.get('assets/icon/images/main.png')).toEqual(icon);
    expect(read.assets.get('assets/emotion/images/happy.webp')).toEqual(happy);
  });

  it('adds the main icon to a card that has no assets', () => {
    const card = parseCardJson(v2Card());
    const icon = readPngCard(writePngCard(card)).image;
    const read = readCharx(writeCharx(card, new Map(), { icon: { bytes: icon, ext: 'png' } }));
    expect(read.card.data.assets).toEqual([
      { type: 'icon', uri: 'embeded://assets/icon/images/main.png', name: 'main', ext: 'png' },
    ]);
    expect(read.assets.get('assets/icon/images/main.png')).toEqual(icon);
  });
});

describe('format detection and one-call import/export', () => {
  it('detects by content first, then by name or type', () => {
    const card = parseCardJson(v2Card());
    expect(detectCardFormat(writePngCard(card), 'card.json')).toBe('png');
    expect(detectCardFormat(writeCharx(card), 'x.png')).toBe('charx');
    expect(detectCardFormat(new TextEncoder().encode('\ufeff  {"a":1}'))).toBe('json');
    expect(detectCardFormat(new TextEncoder().encode('junk'), 'card.json')).toBe('json');
    expect(detectCardFormat(new TextEncoder().encode('junk'), undefined, 'application/json; charset=utf-8')).toBe(
      'json',
    );
    expect(detectCardFormat(new Uint8Array([0xff, 0xd8, 0xff]), 'card.jpg', 'image/jpeg')).toBeUndefined();
  });

  it('exports to every format and imports each back to the same persona', () => {
    const card = parseCardJson(v3Card());
    for (const format of ['json-v2', 'json-v3', 'png', 'charx'] as const) {
      const imported = importCard(exportCard(card, format, { avatarPng: writePngCard(card) }));
      expect(imported.card.data, format).toEqual(card.data);
      expect(profileFromCard(imported.card), format).toEqual(profileFromCard(card));
    }
    const fromPng = importCard(exportCard(card, 'png'));
    expect(fromPng.format).toBe('png');
    expect(fromPng.avatar?.ext).toBe('png');
  });

  it('gives the CHARX main icon as the avatar', () => {
    const card = parseCardJson(v2Card());
    const icon = readPngCard(writePngCard(card)).image;
    const imported = importCard(exportCard(card, 'charx', { avatarPng: icon }), { filename: 'mira.charx' });
    expect(imported.format).toBe('charx');
    expect(imported.avatar?.bytes).toEqual(icon);
  });
});

// --- helpers that build PNGs by hand, independently of the code under test ---

/** A zlib stream, as zTXt holds, checked by inflating it back. */
function zlibCompress(data: Buffer): Buffer {
  const out = deflateSync(data);
  expect(inflateSync(out).equals(data)).toBe(true);
  return out;
}

function chunkBytes(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const body = Buffer.concat([head.subarray(4), Buffer.from(data)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([head.subarray(0, 4), body, crc]);
}

/** Inserts a chunk just before IEND. */
function insertChunk(png: Uint8Array, type: string, data: Uint8Array): Uint8Array {
  const iend = png.length - 12;
  return new Uint8Array(
    Buffer.concat([Buffer.from(png.subarray(0, iend)), chunkBytes(type, data), Buffer.from(png.subarray(iend))]),
  );
}

/** The image without card chunks, plus hand-made tEXt chunks for the given cards. */
function writePngWithChunks(png: Uint8Array, cards: { chara?: object; ccv3?: object }): Uint8Array {
  let out = readPngCard(png).image;
  for (const [keyword, value] of Object.entries(cards)) {
    const text = Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
    out = insertChunk(out, 'tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));
  }
  return out;
}

function idat(png: Uint8Array): Buffer[] {
  const buffer = Buffer.from(png);
  const found: Buffer[] = [];
  for (let offset = 8; offset < buffer.length;) {
    const length = buffer.readUInt32BE(offset);
    if (buffer.toString('latin1', offset + 4, offset + 8) === 'IDAT')
      found.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  return found;
}
