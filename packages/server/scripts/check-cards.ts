/**
 * Conformance check for the character-card code against real cards.
 *
 *   pnpm --filter @vibhava/server exec tsx scripts/check-cards.ts [cardsDir]
 *
 * For every PNG in the folder (default: the shared bench data next to the repository): import it,
 * print name/spec/lorebook size, export it as V2 JSON, V3 JSON, PNG and CHARX, import each export
 * again and check the persona is unchanged, and check SillyTavern would accept each export.
 *
 * The SillyTavern acceptance rules are replicated from its sources, not imported:
 * - `src/character-card-parser.js#read`: PNG chunks are extracted as `png-chunks-extract` does
 *   (signature, every CRC checked, must reach IEND); of the tEXt chunks, the first whose keyword
 *   lower-cased is `ccv3` wins, else `chara`; its text is base64-decoded to UTF-8 and JSON.parsed.
 * - `src/endpoints/characters.js` import path: a card with `spec` goes through `readFromV2`, which
 *   needs a `data` object; the name is `data.name || name` and must be non-empty after the
 *   character listing's `x?.name` filter.
 * - `src/validator/TavernCardValidator.js#validate`: V1 (six flat fields) or V2 (`chara_card_v2`,
 *   `2.0`, the fourteen `data` fields with arrays/objects of the right type, a character_book with
 *   `extensions` and an `entries` array) or V3 (`chara_card_v3`, 3.0 <= spec_version < 4.0, `data`
 *   object).
 * - `src/charx.js`: `card.json` at the archive root must parse and have a `spec`; the main icon is
 *   the `icon` asset (named `main` first) whose `embeded://`/`embedded://` path is in the archive.
 * Exits non-zero when any check fails.
 */
import { unzipSync } from 'fflate';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import {
  activateLorebook,
  exportCard,
  importCard,
  profileFromCard,
  type AvatarProfile,
  type CardExportFormat,
} from '../src/cards/index.js';

import { draftFromCard } from '../src/avatars/avatar-cards.js';
import { parseProfile } from '../src/avatars/avatar-profiles.js';
import { renderSystemMessage } from '../src/persona/index.js';
import type { CharacterCard } from '../src/cards/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The system message the server would send for an avatar imported from this card. */
function rendered(card: CharacterCard): string {
  const profile = parseProfile(draftFromCard(card));
  return renderSystemMessage(profile, { now: new Date('2026-01-01T12:00:00Z'), visitor: { verified: false } });
}
const cardsDir = resolve(process.argv[2] ?? join(here, '../../../../shared/bench-data/cards'));
const failures: string[] = [];

function check(label: string, ok: boolean, detail = ''): void {
  console.log(`    ${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures.push(label);
}

// --- SillyTavern's acceptance rules, replicated ---

/** The card SillyTavern reads from a PNG (ccv3 first), plus each card chunk parsed on its own. */
function stReadPng(bytes: Uint8Array): { card: unknown; chunks: Map<string, unknown> } {
  const buffer = Buffer.from(bytes);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((byte, index) => buffer[index] === byte)) throw new Error('Invalid .png file header');
  const texts: Array<{ keyword: string; text: string }> = [];
  let offset = 8;
  let ended = false;
  while (offset < buffer.length && !ended) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (crc32(buffer.subarray(offset + 4, offset + 8 + length)) !== buffer.readUInt32BE(offset + 8 + length)) {
      throw new Error(`CRC for "${type}" chunk is incorrect`);
    }
    if (type === 'tEXt') {
      const nul = data.indexOf(0);
      texts.push({ keyword: data.toString('latin1', 0, nul), text: data.toString('latin1', nul + 1) });
    }
    ended = type === 'IEND';
    offset += 12 + length;
  }
  if (!ended) throw new Error('.png file ended prematurely: no IEND header was found');
  const decode = (text: string): unknown => JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  const chunks = new Map<string, unknown>();
  for (const keyword of ['ccv3', 'chara']) {
    const found = texts.find((t) => t.keyword.toLowerCase() === keyword);
    if (found) chunks.set(keyword, decode(found.text));
  }
  if (chunks.size === 0) throw new Error('No PNG metadata.');
  return { card: chunks.get('ccv3') ?? chunks.get('chara'), chunks };
}

const has = (value: object, field: string) => Object.hasOwn(value, field);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const stValidateV1 = (card: Record<string, unknown>) =>
  ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'].every((f) => has(card, f));

function stValidateV2(card: Record<string, unknown>): boolean {
  const data = card['data'];
  if (card['spec'] !== 'chara_card_v2' || card['spec_version'] !== '2.0' || !isObject(data)) return false;
  const required = [
    'name',
    'description',
    'personality',
    'scenario',
    'first_mes',
    'mes_example',
    'creator_notes',
    'system_prompt',
    'post_history_instructions',
    'alternate_greetings',
    'tags',
    'creator',
    'character_version',
    'extensions',
  ];
  const book = data['character_book'];
  const bookOk =
    !book ||
    (isObject(book) &&
      has(book, 'extensions') &&
      Array.isArray(book['entries']) &&
      typeof book['extensions'] === 'object');
  return (
    required.every((f) => has(data, f)) &&
    Array.isArray(data['alternate_greetings']) &&
    Array.isArray(data['tags']) &&
    typeof data['extensions'] === 'object' &&
    bookOk
  );
}

function stValidateV3(card: Record<string, unknown>): boolean {
  const version = Number(card['spec_version']);
  return card['spec'] === 'chara_card_v3' && version >= 3 && version < 4 && isObject(card['data']);
}

/** `TavernCardValidator#validate`: V1, else V2, else V3. */
const stValidate = (card: Record<string, unknown>) => stValidateV1(card) || stValidateV2(card) || stValidateV3(card);

/** The import path of `characters.js` after parsing; returns why SillyTavern would refuse, or null. */
function stRefusal(card: unknown): string | null {
  if (!isObject(card)) return 'not an object';
  if (card['spec'] === undefined) return 'no spec';
  const data = card['data'];
  if (!isObject(data)) return 'spec without data (readFromV2)';
  const name = (typeof data['name'] === 'string' && data['name']) || card['name'];
  if (typeof name !== 'string' || name.trim() === '') return 'no name';
  if (!stValidate(card)) return 'TavernCardValidator rejects it';
  return null;
}

function stReadCharx(bytes: Uint8Array): { card: unknown; icon?: Uint8Array } {
  const files = unzipSync(bytes);
  const cardBytes = files['card.json'];
  if (!cardBytes) throw new Error('Failed to extract card.json from CharX file');
  const card: unknown = JSON.parse(Buffer.from(cardBytes).toString('utf8'));
  if (!isObject(card) || card['spec'] === undefined) throw new Error('Invalid CharX card file: missing spec field');
  const assets = isObject(card['data']) && Array.isArray(card['data']['assets']) ? card['data']['assets'] : [];
  const icons = assets.filter((asset): asset is Record<string, string> => isObject(asset) && asset['type'] === 'icon');
  const icon = [...icons.filter((a) => a['name']?.toLowerCase() === 'main'), ...icons]
    .map((asset) => /^embedd?ed:\/\/(.*)$/i.exec(asset['uri'] ?? '')?.[1])
    .find((path) => path !== undefined && files[path] !== undefined);
  const iconBytes = icon === undefined ? undefined : files[icon];
  return iconBytes === undefined ? { card } : { card, icon: iconBytes };
}

// --- the checks ---

/** Persona fields compared across formats; lorebook entries by the fields that drive activation. */
function persona(profile: AvatarProfile): unknown {
  const { lorebook, ...rest } = profile;
  const entries = lorebook?.entries.map((entry) => ({
    keys: entry.keys,
    secondary_keys: entry.secondary_keys,
    content: entry.content,
    enabled: entry.enabled,
    insertion_order: entry.insertion_order,
    constant: entry.constant,
    selective: entry.selective,
  }));
  return { ...rest, lorebook: entries ?? null };
}

const files = readdirSync(cardsDir)
  .filter((file) => file.toLowerCase().endsWith('.png'))
  .sort();
if (files.length === 0) {
  console.error(`No PNG cards in ${cardsDir}`);
  process.exit(1);
}
console.log(`Checking ${files.length} cards in ${cardsDir}`);
for (const file of files) {
  const bytes = new Uint8Array(readFileSync(join(cardsDir, file)));
  let imported;
  try {
    imported = importCard(bytes, { filename: file });
  } catch (error) {
    console.log(`\n${file}: import FAILED: ${String(error)}`);
    failures.push(`${file}: import`);
    continue;
  }
  const { card } = imported;
  const book = card.data.character_book;
  console.log(
    `\n${basename(file)}: "${card.data.name}" spec=${card.spec} lorebook=${book ? `${book.entries.length} entries` : 'none'}`,
  );
  check('SillyTavern accepts the original', stRefusal(stReadPng(bytes).card) === null);
  if (book) {
    const sample = 'Tell me about the forest and its magic.';
    const activation = activateLorebook(book, [sample], { countTokens: (text) => Math.ceil(text.length / 4) });
    const chosen = activation.entries.map(
      (entry) => `${entry.comment ?? entry.id}←${entry.reason.kind === 'key' ? entry.reason.key : entry.reason.kind}`,
    );
    console.log(`    lorebook on "${sample}": ${chosen.join(', ') || 'nothing'} (${activation.tokensUsed} tokens)`);
  }

  const expected = persona(profileFromCard(card));
  const system = rendered(card);
  console.log(`    renders a ${system.length}-character system message: "${system.split('\n')[0]}"`);
  const avatarPng = imported.avatar?.bytes;
  for (const format of ['json-v2', 'json-v3', 'png', 'charx'] as CardExportFormat[]) {
    const exported = exportCard(card, format, avatarPng ? { avatarPng } : {});
    let again;
    try {
      again = importCard(exported, { filename: `${card.data.name}.${format.startsWith('json') ? 'json' : format}` });
    } catch (error) {
      check(`${format}: re-import`, false, String(error));
      continue;
    }
    const same = JSON.stringify(persona(profileFromCard(again.card))) === JSON.stringify(expected);
    check(`${format}: re-import keeps the persona`, same, `${exported.length} bytes`);
    check(`${format}: renders the same system message`, rendered(again.card) === system);
    try {
      if (format === 'png') {
        const { card: stCard, chunks } = stReadPng(exported);
        check('png: SillyTavern accepts it', stRefusal(stCard) === null);
        const chara = chunks.get('chara');
        const ccv3 = chunks.get('ccv3');
        check(
          'png: chara chunk is valid V2, ccv3 chunk valid V3',
          isObject(chara) && stValidateV2(chara) && isObject(ccv3) && stValidateV3(ccv3),
        );
        check(
          'png: same pixels as the original',
          JSON.stringify(pixelChunks(exported)) === JSON.stringify(pixelChunks(bytes)),
        );
      } else if (format === 'charx') {
        const { card: stCard, icon } = stReadCharx(exported);
        check(
          'charx: SillyTavern accepts it, and card.json passes the V3 validator',
          stRefusal(stCard) === null && isObject(stCard) && stValidateV3(stCard),
        );
        check(
          'charx: SillyTavern finds the main icon',
          icon !== undefined && Buffer.from(icon).equals(Buffer.from(avatarPng ?? [])),
        );
      } else {
        const json: unknown = JSON.parse(Buffer.from(exported).toString('utf8'));
        const strict = isObject(json) && (format === 'json-v2' ? stValidateV2(json) : stValidateV3(json));
        check(
          `${format}: SillyTavern accepts it, and it passes the ${format.slice(5).toUpperCase()} validator`,
          stRefusal(json) === null && strict,
        );
      }
    } catch (error) {
      check(`${format}: SillyTavern can read it`, false, String(error));
    }
  }
}

/** IHDR/IDAT/PLTE chunk digests: the image must survive export untouched. */
function pixelChunks(bytes: Uint8Array): number[] {
  const buffer = Buffer.from(bytes);
  const crcs: number[] = [];
  for (let offset = 8; offset + 12 <= buffer.length;) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    if (type === 'IHDR' || type === 'IDAT' || type === 'PLTE') crcs.push(buffer.readUInt32BE(offset + 8 + length));
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  return crcs;
}

console.log(
  failures.length === 0 ? '\nAll checks passed.' : `\n${failures.length} check(s) FAILED:\n  ${failures.join('\n  ')}`,
);
process.exit(failures.length === 0 ? 0 : 1);
