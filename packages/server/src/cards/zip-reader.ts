import { Inflate } from 'fflate';
import { crc32 } from 'node:zlib';
import { assertSafeArchivePath } from './archive-path.js';
import { CardError } from './card-error.js';
import { formatBytes, type CardLimits } from './card-limits.js';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** Inflate in slices this small so a lying entry is caught after at most ~8 MB of output. */
const INFLATE_SLICE = 8 * 1024;

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const fail = (message: string): never => {
  throw new CardError('invalid_file', message);
};
const tooLarge = (message: string): never => {
  throw new CardError('too_large', message);
};

/**
 * Reads every file of a ZIP archive defensively. fflate's `unzipSync` trusts the sizes the archive
 * declares; this reader checks them all before inflating anything (entry count, total declared
 * size, compression ratio, safe names, no duplicates, no encryption, no ZIP64) and again while
 * inflating (output never exceeds the declared size, the running total never exceeds the cap),
 * then checks each CRC-32.
 * @throws {CardError} `invalid_file`, `too_large` or `unsafe_path`.
 */
export function readZipArchive(bytes: Uint8Array, limits: CardLimits): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = readCentralDirectory(bytes, view, limits);
  const files = new Map<string, Uint8Array>();
  let total = 0;
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    const start = localDataStart(view, entry);
    if (start + entry.compressedSize > bytes.length) fail(`The archive is truncated inside ${entry.name}.`);
    const compressed = bytes.subarray(start, start + entry.compressedSize);
    const data = entry.method === 0 ? compressed.slice() : inflateEntry(compressed, entry);
    if (crc32(data) !== entry.crc) fail(`${entry.name} fails its CRC check (the archive is damaged).`);
    total += data.length;
    files.set(entry.name, data);
  }
  if (total > limits.maxUncompressedBytes) tooLarge('The archive inflates past its size limit.');
  return files;
}

function readCentralDirectory(bytes: Uint8Array, view: DataView, limits: CardLimits): CentralEntry[] {
  let eocd = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 0xffff); offset--) {
    if (view.getUint32(offset, true) === EOCD_SIGNATURE) {
      eocd = offset;
      break;
    }
  }
  if (eocd < 0) fail('Not a ZIP archive (no end-of-central-directory record).');
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) fail('ZIP64 archives are not supported.');
  if (view.getUint16(eocd + 8, true) !== count) fail('Multi-disk archives are not supported.');
  if (count > limits.maxArchiveEntries) {
    tooLarge(`The archive has ${count} entries; at most ${limits.maxArchiveEntries}.`);
  }
  if (directoryOffset + directorySize > eocd) fail('The archive central directory is out of bounds.');

  const entries: CentralEntry[] = [];
  const names = new Set<string>();
  let declaredTotal = 0;
  let offset = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > eocd || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
      fail('The archive central directory is malformed.');
    }
    const flags = view.getUint16(offset + 8, true);
    const nameLength = view.getUint16(offset + 28, true);
    const nameEnd = offset + 46 + nameLength;
    if (nameEnd > eocd) fail('The archive central directory is malformed.');
    const entry: CentralEntry = {
      name: new TextDecoder('utf-8').decode(bytes.subarray(offset + 46, nameEnd)),
      method: view.getUint16(offset + 10, true),
      crc: view.getUint32(offset + 16, true),
      compressedSize: view.getUint32(offset + 20, true),
      size: view.getUint32(offset + 24, true),
      localOffset: view.getUint32(offset + 42, true),
    };
    offset = nameEnd + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);

    assertSafeArchivePath(entry.name, 'The archive entry', true);
    if (names.has(entry.name)) fail(`The archive holds ${entry.name} twice.`);
    names.add(entry.name);
    if (flags & 1) fail(`${entry.name} is encrypted.`);
    if (entry.method !== 0 && entry.method !== 8)
      fail(`${entry.name} uses unsupported compression method ${entry.method}.`);
    if (entry.method === 0 && entry.compressedSize !== entry.size) fail(`${entry.name} has inconsistent sizes.`);
    declaredTotal += entry.size;
    if (declaredTotal > limits.maxUncompressedBytes) {
      tooLarge(`The archive would inflate past ${formatBytes(limits.maxUncompressedBytes)}.`);
    }
    assertRatio(entry.name, entry.size, entry.compressedSize, limits);
    entries.push(entry);
  }
  return entries;
}

function assertRatio(name: string, size: number, compressedSize: number, limits: CardLimits): void {
  if (size > limits.ratioCheckMinBytes && size > compressedSize * limits.maxCompressionRatio) {
    tooLarge(`${name} is compressed more than ${limits.maxCompressionRatio}:1 (a zip bomb?).`);
  }
}

function localDataStart(view: DataView, entry: CentralEntry): number {
  const offset = entry.localOffset;
  if (offset + 30 > view.byteLength || view.getUint32(offset, true) !== LOCAL_SIGNATURE) {
    fail(`The local header of ${entry.name} is missing.`);
  }
  return offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
}

/** Inflates one entry, refusing as soon as the output passes the size the archive declared. */
function inflateEntry(compressed: Uint8Array, entry: CentralEntry): Uint8Array {
  const out = new Uint8Array(entry.size);
  let written = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (written + chunk.length > out.length) {
      overflow = true;
      return;
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    for (let offset = 0; offset < compressed.length && !overflow; offset += INFLATE_SLICE) {
      const end = Math.min(offset + INFLATE_SLICE, compressed.length);
      inflater.push(compressed.subarray(offset, end), end === compressed.length);
    }
  } catch (error) {
    throw new CardError('invalid_file', `${entry.name} does not inflate (the archive is damaged).`, { cause: error });
  }
  if (overflow) tooLarge(`${entry.name} inflates past the size its header declares (a zip bomb?).`);
  if (written !== entry.size) fail(`${entry.name} is shorter than its header declares.`);
  return out;
}
