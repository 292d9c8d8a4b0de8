export { createApp, type App, type AppDeps } from './app.js';
export { startServer, type StartServerOptions, type RunningServer } from './server.js';
export { parseEnv, EnvSchema, ConfigError, type Env } from './config.js';
export { VisitorTokens, type VisitorClaims } from './auth/visitor-token.js';
export { openDatabase, type Database } from './db/database.js';
export { seedDemo, type DemoData } from './db/seed.js';
export {
  ModelError,
  type ChatModel,
  type ChatPromptMessage,
  type ChatStreamOptions,
  type ModelStreamPart,
} from './providers/chat-model.js';
export { OpenAIChatModel, type OpenAIChatModelOptions } from './providers/openai/openai-chat-model.js';
export { LlamaChatModel, type LlamaChatModelOptions } from './providers/local/llama-chat-model.js';
export { DEFAULT_LOCAL_MODEL, localModels, type LocalModelSpec } from './providers/local/model-catalog.js';
export {
  ensureModelFile,
  defaultModelsDir,
  modelPath,
  sha256File,
  ModelFileError,
  type ModelSource,
} from './providers/local/model-files.js';
export { createChatModel, resolveProviderName, type ProviderSettings } from './providers/registry.js';
export type { RateLimitStore, TokenBucketPolicy, TakeResult } from './limits/rate-limit-store.js';
export { LibsqlRateLimitStore } from './limits/libsql-rate-limit-store.js';
export { RedisRateLimitStore } from './limits/redis-rate-limit-store.js';
export { defaultRateLimits, type RateLimitSettings } from './limits/rate-limit-settings.js';
export {
  QuotaService,
  type Admission,
  type NewQuota,
  type QuotaRow,
  type QuotaSubject,
} from './quotas/quota-service.js';
export { periodWindow, type QuotaPeriod, type PeriodWindow } from './quotas/periods.js';
export { UsageLedger, type UsageEventInput, type UsageEventRow } from './usage/usage-ledger.js';
export {
  DEFAULT_PRICE_TABLE,
  PriceTableSchema,
  costMicroUsd,
  priceFor,
  type PriceTable,
  type ModelPrice,
} from './usage/price-table.js';
export { ensureAdminUser } from './admin/bootstrap.js';
export { rolePermissions, type Role, type Permission } from './admin/permissions.js';
export {
  CardError,
  activateLorebook,
  exportCard,
  importCard,
  parseCardJson,
  readCharx,
  readPngCard,
  toV2,
  toV3,
  writeCharx,
  writePngCard,
  type CharacterCard,
} from './cards/index.js';
export {
  AvatarProfileSchema,
  adaptTone,
  compileSystemTemplate,
  listBuiltInTemplates,
  previewSystemMessage,
  renderSystemMessage,
  traitsToStyle,
  type AvatarProfile,
} from './persona/index.js';
export { EmotionClassifier, loadEmotionClassifier, type EmotionResult } from './emotion/index.js';
export {
  cosineSimilarity,
  loadLocalEmbeddingModel,
  OnnxEmbeddingModel,
  type EmbeddingModel,
} from './embeddings/index.js';
