import type { EmotionResult as DetectedEmotion } from './emotion-classifier.js';

export {
  EKMAN_EMOTIONS,
  EKMAN_OF,
  EMOTION_LABELS,
  ekmanIndices,
  type EkmanEmotion,
  type EmotionLabel,
} from './emotion-labels.js';
export {
  EmotionClassifier,
  EMOTION_WEIGHTS_FILE,
  defaultEmotionWeightsPath,
  loadEmotionClassifier,
  type EmotionProbabilities,
  type EmotionResult,
  type EmotionScore,
} from './emotion-classifier.js';
export {
  EmbeddingEmotionClassifier,
  EMOTION_HEAD_FILE,
  defaultEmotionHeadPath,
} from './embedding-emotion-classifier.js';
export { EmotionModelFileError } from './emotion-model-file.js';
export { parseGoEmotionsTsv, GoEmotionsFormatError, type LabelledText } from './goemotions-tsv.js';

/** What the message path needs from a visitor-emotion classifier (n-gram or embedding-based). */
export interface EmotionDetector {
  classify(text: string): DetectedEmotion | Promise<DetectedEmotion>;
  /** A visitor's whole message, read sentence by sentence (`embedding`: the message's, if at hand). */
  classifyMessage(text: string, embedding?: Float32Array | null): DetectedEmotion | Promise<DetectedEmotion>;
}
