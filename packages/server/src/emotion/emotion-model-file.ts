import { gunzipSync, gzipSync } from 'node:zlib';
import type { FeatureOptions } from './emotion-features.js';
import { OUTPUT_COUNT, type EmotionModel } from './emotion-model.js';

/**
 * The weights file: gzip over
 *   "VEMO" · u32 version · u32 header bytes · header JSON · vocabulary (UTF-8, "\n"-joined) ·
 *   idf as u16 over [idfMin, idfMax] · weights as i8, row-major features × outputs, each output
 *   column scaled by its own factor from the header.
 * Little-endian throughout. int8 weights keep the file small; training fits the calibration and
 * thresholds to the quantised weights, so the shipped numbers describe the shipped model.
 */

const MAGIC = 'VEMO';
const VERSION = 1;

/** The weights file is missing, truncated, of another version or not a weights file at all. */
export class EmotionModelFileError extends Error {
  override name = 'EmotionModelFileError';
}

interface Header {
  features: FeatureOptions;
  outputs: number;
  vocabularyBytes: number;
  featureCount: number;
  idfMin: number;
  idfMax: number;
  weightScale: number[];
  bias: number[];
  calibrationScale: number[];
  calibrationShift: number[];
  thresholds: number[];
  /** Free-form facts about the training run (data, options, tuning figures). */
  about: Record<string, unknown>;
}

/** Per-output int8 quantisation: the scale and the integer weights. */
export function quantizeWeights(weights: Float32Array, outputs: number): { scale: Float32Array; values: Int8Array } {
  const scale = new Float32Array(outputs);
  for (let cell = 0; cell < weights.length; cell++) {
    const output = cell % outputs;
    scale[output] = Math.max(scale[output]!, Math.abs(weights[cell]!));
  }
  for (let output = 0; output < outputs; output++) scale[output] = scale[output]! / 127 || 1;
  const values = new Int8Array(weights.length);
  for (let cell = 0; cell < weights.length; cell++) values[cell] = Math.round(weights[cell]! / scale[cell % outputs]!);
  return { scale, values };
}

/** The float weights that int8 quantisation turns `weights` into. */
export function dequantizedWeights(weights: Float32Array, outputs: number): Float32Array {
  const { scale, values } = quantizeWeights(weights, outputs);
  return Float32Array.from(values, (value, cell) => value * scale[cell % outputs]!);
}

/** Serialises a model (quantising its weights and IDF) into the gzipped weights-file bytes. */
export function encodeEmotionModel(model: EmotionModel, about: Record<string, unknown> = {}): Uint8Array {
  const vocabulary = Buffer.from(model.vocabulary.join('\n'), 'utf8');
  const { scale, values } = quantizeWeights(model.weights, OUTPUT_COUNT);
  let idfMin = Number.POSITIVE_INFINITY;
  let idfMax = Number.NEGATIVE_INFINITY;
  for (const value of model.idf) {
    idfMin = Math.min(idfMin, value);
    idfMax = Math.max(idfMax, value);
  }
  if (model.idf.length === 0) idfMin = idfMax = 1;
  const idfStep = (idfMax - idfMin) / 65535 || 1;
  const idf = Uint16Array.from(model.idf, (value) => Math.round((value - idfMin) / idfStep));
  const header: Header = {
    features: model.features,
    outputs: OUTPUT_COUNT,
    vocabularyBytes: vocabulary.length,
    featureCount: model.vocabulary.length,
    idfMin,
    idfMax,
    weightScale: Array.from(scale),
    bias: Array.from(model.bias),
    calibrationScale: Array.from(model.calibrationScale),
    calibrationShift: Array.from(model.calibrationShift),
    thresholds: Array.from(model.thresholds),
    about,
  };
  const prefix = containerPrefix(MAGIC, VERSION, header);
  const idfBytes = Buffer.alloc(idf.length * 2);
  idf.forEach((value, position) => idfBytes.writeUInt16LE(value, position * 2));
  const body = Buffer.concat([
    prefix,
    vocabulary,
    idfBytes,
    Buffer.from(values.buffer, values.byteOffset, values.length),
  ]);
  return new Uint8Array(gzipSync(body, { level: 9 }));
}

/** Reads weights-file bytes back into a model; throws {@link EmotionModelFileError} on any mismatch. */
export function decodeEmotionModel(bytes: Uint8Array): { model: EmotionModel; about: Record<string, unknown> } {
  const { body, header, headerEnd } = readWeightsContainer<Header>(bytes, {
    magic: MAGIC,
    version: VERSION,
    what: 'emotion weights file',
  });
  const size = header.featureCount;
  const vocabularyEnd = headerEnd + header.vocabularyBytes;
  const idfEnd = vocabularyEnd + size * 2;
  if (body.length !== idfEnd + size * OUTPUT_COUNT) throw new EmotionModelFileError('truncated emotion weights file');
  const vocabulary = size === 0 ? [] : body.toString('utf8', headerEnd, vocabularyEnd).split('\n');
  if (vocabulary.length !== size) throw new EmotionModelFileError('vocabulary size does not match the header');
  const idfStep = (header.idfMax - header.idfMin) / 65535 || 1;
  const idf = new Float32Array(size);
  for (let feature = 0; feature < size; feature++) {
    idf[feature] = header.idfMin + body.readUInt16LE(vocabularyEnd + feature * 2) * idfStep;
  }
  const quantized = new Int8Array(body.buffer, body.byteOffset + idfEnd, size * OUTPUT_COUNT);
  const scale = Float32Array.from(header.weightScale);
  const weights = new Float32Array(quantized.length);
  for (let row = 0; row < quantized.length; row += OUTPUT_COUNT) {
    for (let output = 0; output < OUTPUT_COUNT; output++)
      weights[row + output] = quantized[row + output]! * scale[output]!;
  }
  return {
    model: {
      features: header.features,
      vocabulary,
      idf,
      weights,
      bias: Float32Array.from(header.bias),
      calibrationScale: Float32Array.from(header.calibrationScale),
      calibrationShift: Float32Array.from(header.calibrationShift),
      thresholds: Float32Array.from(header.thresholds),
    },
    about: header.about,
  };
}

/**
 * Opens a gzip weights container: a 4-byte magic, a uint32 version, a uint32 header length, a
 * JSON header (with `outputs`), then the tensors. Shared by the n-gram model and the embedding
 * head; throws {@link EmotionModelFileError} on any mismatch.
 */
export function readWeightsContainer<H extends { outputs: number }>(
  bytes: Uint8Array,
  format: { magic: string; version: number; what: string },
): { body: Buffer; header: H; headerEnd: number } {
  let body: Buffer;
  try {
    body = gunzipSync(bytes);
  } catch (cause) {
    throw new EmotionModelFileError(`the ${format.what} is not gzip data`, { cause });
  }
  if (body.length < 12 || body.toString('ascii', 0, 4) !== format.magic) {
    throw new EmotionModelFileError(`not an ${format.what} (bad magic)`);
  }
  const version = body.readUInt32LE(4);
  if (version !== format.version) throw new EmotionModelFileError(`unsupported ${format.what} version ${version}`);
  const headerEnd = 12 + body.readUInt32LE(8);
  let header: H;
  try {
    header = JSON.parse(body.toString('utf8', 12, headerEnd)) as H;
  } catch (cause) {
    throw new EmotionModelFileError(`the ${format.what} has a broken header`, { cause });
  }
  if (header.outputs !== OUTPUT_COUNT) {
    throw new EmotionModelFileError(`expected ${OUTPUT_COUNT} outputs, the ${format.what} has ${header.outputs}`);
  }
  return { body, header, headerEnd };
}

/** The start of a weights container: magic, version, header length, then the JSON header. */
export function containerPrefix(magic: string, version: number, header: object): Buffer {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(magic, 0, 'ascii');
  prefix.writeUInt32LE(version, 4);
  prefix.writeUInt32LE(headerBytes.length, 8);
  return Buffer.concat([prefix, headerBytes]);
}
