export { cosineSimilarity, EmbeddingModelError, type EmbeddingModel } from './embedding-model.js';
export {
  loadLocalEmbeddingModel,
  loadSharedEmbeddingModel,
  type LocalEmbeddingOptions,
} from './local-embedding-model.js';
export { OnnxEmbeddingModel, type EmbeddingPooling, type OnnxEmbeddingOptions } from './onnx-embedding-model.js';
export { quantizeMatMulsDynamically } from './onnx-int8-matmul.js';
export { TokenizerFileError, WordPieceTokenizer, type WordPieceOptions } from './wordpiece-tokenizer.js';
