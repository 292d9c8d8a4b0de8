import { zipSync, type Zippable } from 'fflate';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CardError,
  importCard,
  parseCardJson,
  readCharx,
  readPngCard,
  writeCharx,
  writePngCard,
  type CardErrorCode,
} from '../src/cards/index.js';

const card = {
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: { name: 'Target', description: 'd', first_mes: 'hi', extensions: {} },
};
const cardJson = JSON.stringify(card);
const encoder = new TextEncoder();

/** Runs `fn` and returns the CardError it threw (failing if it threw anything else, or nothing). */
function cardError(fn: () => unknown): CardError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CardError) return error;
    throw new Error(`expected a CardError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a CardError, nothing was thrown');
}

function expectRefused(fn: () => unknown, code: CardErrorCode, message?: RegExp): void {
  const error = cardError(fn);
  expect(error.code, error.message).toBe(code);
  if (message) expect(error.message).toMatch(message);
}

// --- PNG building blocks, made by hand so the tests do not trust the code under test ---

function chunk(type: string, data: Uint8Array | string): Buffer {
  const body = Buffer.concat([
    Buffer.from(type, 'latin1'),
    Buffer.from(typeof data === 'string' ? Buffer.from(data, 'latin1') : data),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A plain 1x1 PNG with the given extra chunks before IEND. */
function png(...extra: Buffer[]): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const pixels = deflateSync(Buffer.from([0, 255, 0, 0]));
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', pixels),
      ...extra,
      chunk('IEND', ''),
    ]),
  );
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('hostile PNG cards', () => {
  it('accepts the hand-made baseline', () => {
    expect(readPngCard(png(chunk('tEXt', `chara\0${base64(cardJson)}`))).card.data.name).toBe('Target');
  });

  it('refuses bad base64', () => {
    expectRefused(() => readPngCard(png(chunk('tEXt', 'chara\0not*base64!!'))), 'invalid_encoding', /base64/);
  });

  it('refuses invalid JSON', () => {
    expectRefused(
      () => readPngCard(png(chunk('tEXt', `chara\0${base64('{"spec": "chara_card_v2", ')}`))),
      'invalid_card',
      /JSON/,
    );
  });

  it('refuses a wrong spec, a bad spec_version and fields of the wrong type', () => {
    const wrap = (value: object) => png(chunk('tEXt', `ccv3\0${base64(JSON.stringify(value))}`));
    expectRefused(() => readPngCard(wrap({ ...card, spec: 'chara_card_v9' })), 'invalid_card', /spec/);
    expectRefused(
      () => readPngCard(wrap({ ...card, spec: 'chara_card_v3', spec_version: '2.0' })),
      'invalid_card',
      /spec_version/,
    );
    expectRefused(() => readPngCard(wrap({ ...card, data: 'nope' })), 'invalid_card', /data/);
    expectRefused(
      () => readPngCard(wrap({ ...card, data: { ...card.data, tags: 'a,b' } })),
      'invalid_card',
      /data\.tags/,
    );
    expectRefused(() => readPngCard(wrap([1, 2, 3])), 'invalid_card');
    expectRefused(() => readPngCard(wrap({ hello: 'world' })), 'invalid_card', /Not a character card/);
  });

  it('refuses a text chunk over 8 MB without decoding it', () => {
    const huge = `chara\0${'A'.repeat(9 * 1024 * 1024)}`;
    expectRefused(() => readPngCard(png(chunk('tEXt', huge))), 'too_large', /chara chunk/);
  });

  it('refuses a compressed text chunk that inflates past the cap', () => {
    const bomb = deflateSync(Buffer.alloc(20 * 1024 * 1024, 0x41));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const data = Buffer.concat([Buffer.from('chara\0\0', 'latin1'), bomb]);
    expectRefused(() => readPngCard(png(chunk('zTXt', data))), 'too_large', /inflates/);
  });

  it('refuses a file over 20 MB', () => {
    const big = new Uint8Array(21 * 1024 * 1024);
    big.set(png());
    expectRefused(() => readPngCard(big), 'too_large');
  });

  it('refuses a CRC mismatch', () => {
    const bytes = png(chunk('tEXt', `chara\0${base64(cardJson)}`));
    const at = Buffer.from(bytes).indexOf('chara') + 10;
    bytes[at] = bytes[at]! ^ 0x01;
    expectRefused(() => readPngCard(bytes), 'invalid_file', /CRC/);
  });

  it('refuses non-PNGs, truncated PNGs and PNGs without a card', () => {
    expectRefused(() => readPngCard(encoder.encode('GIF89a...')), 'invalid_file', /signature/);
    const whole = png(chunk('tEXt', `chara\0${base64(cardJson)}`));
    expectRefused(() => readPngCard(whole.subarray(0, whole.length - 20)), 'invalid_file', /truncated/);
    expectRefused(() => readPngCard(png(chunk('tEXt', 'Comment\0hello'))), 'missing_card');
    expectRefused(() => writePngCard(parseCardJson(card), encoder.encode('not a png')), 'invalid_file');
  });

  it('refuses a PNG made of a huge number of tiny chunks', () => {
    const filler = chunk('tIME', Buffer.alloc(7));
    const many = Array.from({ length: 100_001 }, () => filler);
    expectRefused(() => readPngCard(png(...many)), 'too_large', /chunks/);
  });

  it('refuses JSON nested deep enough to overflow recursive code', () => {
    const deep = `{"spec":"chara_card_v2","data":{"name":"x","extensions":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}}`;
    expectRefused(() => parseCardJson(deep), 'invalid_card', /nests deeper/);
    expectRefused(() => readPngCard(png(chunk('tEXt', `chara\0${base64(deep)}`))), 'invalid_card', /nests deeper/);
  });

  it('refuses a lorebook with too many entries', () => {
    const entries = Array.from({ length: 20 }, () => ({
      keys: ['k'],
      content: 'c',
      extensions: {},
      enabled: true,
      insertion_order: 0,
    }));
    const withBook = { ...card, data: { ...card.data, character_book: { extensions: {}, entries } } };
    expectRefused(() => parseCardJson(withBook, { limits: { maxLorebookEntries: 10 } }), 'too_large', /entries/);
  });
});

// --- ZIP building blocks ---

function zip(files: Record<string, Uint8Array | string>, level: 0 | 6 = 6): Uint8Array {
  const input: Zippable = {};
  for (const [name, data] of Object.entries(files))
    input[name] = [typeof data === 'string' ? encoder.encode(data) : data, { level }];
  return zipSync(input);
}

/** Offset of the central-directory record for `name`. */
function centralRecord(bytes: Uint8Array, name: string): number {
  const buffer = Buffer.from(bytes);
  for (let offset = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); offset >= 0;) {
    const nameLength = buffer.readUInt16LE(offset + 28);
    if (buffer.toString('utf8', offset + 46, offset + 46 + nameLength) === name) return offset;
    offset = offset === 0 ? -1 : buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), offset - 1);
  }
  throw new Error(`no central record for ${name}`);
}

const v3Json = JSON.stringify({
  spec: 'chara_card_v3',
  spec_version: '3.0',
  data: { ...card.data, group_only_greetings: [] },
});

describe('hostile CHARX archives', () => {
  it('accepts the baseline', () => {
    expect(readCharx(zip({ 'card.json': v3Json, 'assets/icon/images/main.png': png() })).assets.size).toBe(1);
  });

  it('refuses a zip bomb by its declared size before inflating', () => {
    const bomb = zip({ 'card.json': v3Json, 'assets/other/zeros.bin': new Uint8Array(60 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(200 * 1024);
    expectRefused(() => readCharx(bomb), 'too_large', /inflate past/);
  });

  it('refuses an entry compressed far beyond a normal ratio', () => {
    const bomb = zip({ 'card.json': v3Json, 'assets/other/zeros.bin': new Uint8Array(8 * 1024 * 1024) });
    expectRefused(() => readCharx(bomb), 'too_large', /compressed more than 100:1/);
  });

  it('refuses an entry that inflates past the size its header declares, while inflating', () => {
    const bytes = zip({ 'card.json': v3Json, 'assets/other/zeros.bin': new Uint8Array(20 * 1024 * 1024) });
    // Lie: declare 1000 bytes (below the ratio check) for 20 MB of zeros.
    Buffer.from(bytes.buffer, bytes.byteOffset).writeUInt32LE(
      1000,
      centralRecord(bytes, 'assets/other/zeros.bin') + 24,
    );
    const started = performance.now();
    expectRefused(() => readCharx(bytes), 'too_large', /inflates past the size its header declares/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a damaged entry (CRC mismatch)', () => {
    const bytes = zip({ 'card.json': v3Json });
    const record = centralRecord(bytes, 'card.json');
    const view = Buffer.from(bytes.buffer, bytes.byteOffset);
    view.writeUInt32LE((view.readUInt32LE(record + 16) ^ 1) >>> 0, record + 16);
    expectRefused(() => readCharx(bytes), 'invalid_file', /CRC/);
  });

  it('refuses too many entries', () => {
    const files: Record<string, string> = { 'card.json': v3Json };
    for (let i = 0; i < 1001; i++) files[`assets/other/f${i}.txt`] = 'x';
    expectRefused(() => readCharx(zip(files)), 'too_large', /entries/);
  });

  it.each([
    ['../evil', /climbs out/],
    ['assets/../../evil', /climbs out/],
    ['/etc/passwd', /absolute/],
    ['C:/Windows/evil.dll', /absolute/],
    ['assets\\icon\\evil.png', /backslash/],
    ['assets/%2e%2e/%2e%2e/evil', /climbs out/],
    ['assets//evil', /empty/],
  ])('refuses the entry name %s', (name, message) => {
    expectRefused(() => readCharx(zip({ 'card.json': v3Json, [name]: 'x' })), 'unsafe_path', message);
  });

  it.each([
    'embeded://../../etc/passwd',
    'embeded:///etc/passwd',
    'embedded://assets\\x.png',
    'embeded://assets/%2E%2E/x',
  ])('refuses the asset URI %s in card.json', (uri) => {
    const withAsset = JSON.stringify({
      ...JSON.parse(v3Json),
      data: { ...JSON.parse(v3Json).data, assets: [{ type: 'icon', uri, name: 'main', ext: 'png' }] },
    });
    expectRefused(() => readCharx(zip({ 'card.json': withAsset })), 'unsafe_path');
  });

  it('refuses to write an unsafe asset path', () => {
    expectRefused(() => writeCharx(parseCardJson(card), new Map([['../evil.png', png()]])), 'unsafe_path');
    expectRefused(() => writeCharx(parseCardJson(card), new Map([['card.json', png()]])), 'invalid_card');
  });

  it('refuses archives without card.json, duplicates, and non-archives', () => {
    expectRefused(() => readCharx(zip({ 'assets/card.json': v3Json })), 'missing_card');
    expectRefused(() => readCharx(encoder.encode('PK\u0003\u0004 this is not really a zip')), 'invalid_file');
    expectRefused(() => readCharx(zip({ 'card.json': '{"spec":' })), 'invalid_card', /JSON/);
  });

  it('refuses a CHARX over the archive size cap', () => {
    const bytes = zip({ 'card.json': v3Json, 'assets/other/noise.bin': encoder.encode('x'.repeat(2048)) }, 0);
    expectRefused(() => readCharx(bytes, { limits: { maxArchiveBytes: 1024 } }), 'too_large');
  });
});

describe('no raw errors escape', () => {
  /** A small deterministic PRNG (mulberry32) so failures reproduce. */
  function random(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('turns every corruption of a PNG, CHARX or JSON card into a CardError or a valid card', () => {
    const parsed = parseCardJson(card);
    const samples = [
      writePngCard(parsed),
      writeCharx(parsed, new Map([['assets/icon/images/main.png', png()]])),
      encoder.encode(cardJson),
    ];
    const next = random(42);
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const sample = samples[i % samples.length]!;
      const bytes = sample.slice(0, next() < 0.2 ? Math.floor(next() * sample.length) : sample.length);
      for (let flips = 1 + Math.floor(next() * 4); flips > 0 && bytes.length > 0; flips--) {
        bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      }
      try {
        importCard(bytes);
      } catch (error) {
        expect(error, String(error)).toBeInstanceOf(CardError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(300);
  });
});
