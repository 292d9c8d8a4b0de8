export { VibhavaClient, createVibhavaClient, type VibhavaClientOptions, type RequestOptions } from './client.js';
export {
  VibhavaChat,
  type ChatMessage,
  type ChatState,
  type ChatStatus,
  type ChatListener,
  type VibhavaChatOptions,
} from './chat.js';
export {
  VibhavaMemory,
  type MemoryState,
  type MemoryStatus,
  type MemoryListener,
  type VibhavaMemoryOptions,
} from './memory.js';
export {
  MemoryConversationCache,
  MAX_CACHED_MESSAGES,
  type CachedConversation,
  type ConversationCache,
} from './cache.js';
export { IndexedDbConversationCache } from './indexeddb-cache.js';
export type { RetryOptions } from './retry.js';
export {
  VibhavaError,
  InvalidRequestError,
  AuthenticationError,
  ForbiddenOriginError,
  PermissionError,
  NotFoundError,
  RateLimitError,
  QuotaExceededError,
  UpstreamError,
  AbortError,
  NetworkError,
  ProtocolError,
  errorFromInfo,
  toVibhavaError,
} from './errors.js';
export { visitorMessage, developerMessage } from './error-messages.js';
export type {
  StreamPart,
  Message,
  Conversation,
  Session,
  Avatar,
  AvatarAppearance,
  EkmanEmotion,
  Emotion,
  Feedback,
  FeedbackRequest,
  ContextTrace,
  Memory,
  MemoryKind,
  MemoryCategory,
  MemoryList,
  MemoryChange,
  MemoryHistory,
  MemorySettings,
  CreateMemoryRequest,
  UpdateMemoryRequest,
  PreferenceProfile,
  PreferenceChange,
  PreferencesResponse,
  UpdatePreferencesRequest,
} from '@vibhava/protocol';
