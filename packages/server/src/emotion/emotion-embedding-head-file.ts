import { gzipSync } from 'node:zlib';
import {
  containerPrefix,
  dequantizedWeights,
  EmotionModelFileError,
  quantizeWeights,
  readWeightsContainer,
} from './emotion-model-file.js';
import type { EmotionEmbeddingHead } from './emotion-embedding-head.js';
import { OUTPUT_COUNT } from './emotion-model.js';

/**
 * The embedding head's weights file: gzip over
 *   "VEMH" · u32 version · u32 header bytes · header JSON · hidden weights as i8
 *   (`dimensions × hidden`, each hidden unit's column scaled by its own factor) · output weights
 *   as i8 (`hidden × outputs`, per output column).
 * Little-endian. Training fits the blend, calibration and thresholds to the quantised weights.
 */

const MAGIC = 'VEMH';
const VERSION = 1;

interface Header {
  embeddingModelId: string;
  dimensions: number;
  hidden: number;
  outputs: number;
  hiddenScale: number[];
  hiddenBias: number[];
  outputScale: number[];
  outputBias: number[];
  ngramWeight: number;
  calibrationScale: number[];
  calibrationShift: number[];
  thresholds: number[];
  /** Free-form facts about the training run. */
  about: Record<string, unknown>;
}

/** The head with its two weight matrices passed through the file's int8 quantisation. */
export function quantizedHead<T extends Pick<EmotionEmbeddingHead, 'hidden' | 'hiddenWeights' | 'outputWeights'>>(
  head: T,
): T {
  return {
    ...head,
    hiddenWeights: dequantizedWeights(head.hiddenWeights, head.hidden),
    outputWeights: dequantizedWeights(head.outputWeights, OUTPUT_COUNT),
  };
}

/** Serialises a head (quantising its weight matrices) into gzipped file bytes. */
export function encodeEmbeddingHead(head: EmotionEmbeddingHead, about: Record<string, unknown> = {}): Uint8Array {
  const hidden = quantizeWeights(head.hiddenWeights, head.hidden);
  const output = quantizeWeights(head.outputWeights, OUTPUT_COUNT);
  const header: Header = {
    embeddingModelId: head.embeddingModelId,
    dimensions: head.dimensions,
    hidden: head.hidden,
    outputs: OUTPUT_COUNT,
    hiddenScale: Array.from(hidden.scale),
    hiddenBias: Array.from(head.hiddenBias),
    outputScale: Array.from(output.scale),
    outputBias: Array.from(head.outputBias),
    ngramWeight: head.ngramWeight,
    calibrationScale: Array.from(head.calibrationScale),
    calibrationShift: Array.from(head.calibrationShift),
    thresholds: Array.from(head.thresholds),
    about,
  };
  const prefix = containerPrefix(MAGIC, VERSION, header);
  const int8 = (values: Int8Array) => Buffer.from(values.buffer, values.byteOffset, values.length);
  return new Uint8Array(gzipSync(Buffer.concat([prefix, int8(hidden.values), int8(output.values)]), { level: 9 }));
}

/** Reads head-file bytes back; throws {@link EmotionModelFileError} on any mismatch. */
export function decodeEmbeddingHead(bytes: Uint8Array): { head: EmotionEmbeddingHead; about: Record<string, unknown> } {
  const { body, header, headerEnd } = readWeightsContainer<Header>(bytes, {
    magic: MAGIC,
    version: VERSION,
    what: 'emotion embedding-head file',
  });
  const hiddenCells = header.dimensions * header.hidden;
  const outputCells = header.hidden * OUTPUT_COUNT;
  if (body.length !== headerEnd + hiddenCells + outputCells) {
    throw new EmotionModelFileError('truncated emotion head file');
  }
  const dequantize = (offset: number, cells: number, scale: number[], columns: number) => {
    const values = new Int8Array(body.buffer, body.byteOffset + offset, cells);
    return Float32Array.from(values, (value, cell) => value * scale[cell % columns]!);
  };
  return {
    head: {
      embeddingModelId: header.embeddingModelId,
      dimensions: header.dimensions,
      hidden: header.hidden,
      hiddenWeights: dequantize(headerEnd, hiddenCells, header.hiddenScale, header.hidden),
      hiddenBias: Float32Array.from(header.hiddenBias),
      outputWeights: dequantize(headerEnd + hiddenCells, outputCells, header.outputScale, OUTPUT_COUNT),
      outputBias: Float32Array.from(header.outputBias),
      ngramWeight: header.ngramWeight,
      calibrationScale: Float32Array.from(header.calibrationScale),
      calibrationShift: Float32Array.from(header.calibrationShift),
      thresholds: Float32Array.from(header.thresholds),
    },
    about: header.about,
  };
}
