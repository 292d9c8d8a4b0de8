export { CardError, type CardErrorCode } from './card-error.js';
export { DEFAULT_CARD_LIMITS, type CardLimits, type CardReadOptions } from './card-limits.js';
export {
  CardAssetSchema,
  CardDataSchema,
  CardDataV2Schema,
  CardDataV3Schema,
  CardV1Schema,
  CardV2Schema,
  CardV3Schema,
  LorebookEntrySchema,
  LorebookEntryV2Schema,
  LorebookEntryV3Schema,
  LorebookSchema,
  LorebookV2Schema,
  LorebookV3Schema,
  type CardAsset,
  type CardData,
  type CardDataV2,
  type CardDataV3,
  type CharacterCardV1,
  type CharacterCardV2,
  type CharacterCardV3,
  type Lorebook,
  type LorebookEntry,
  type LorebookV3,
} from './card-schema.js';
export { parseCardJson, toV2, toV3, type CardSpec, type CharacterCard } from './character-card.js';
export { readPngCard, writePngCard, type PngCardResult } from './png-card.js';
export { readCharx, writeCharx, type CharxResult, type WriteCharxOptions } from './charx.js';
export {
  detectCardFormat,
  exportCard,
  importCard,
  type CardExportFormat,
  type CardFileFormat,
  type ImportedCard,
} from './import-card.js';
export { defaultAvatarPng } from './default-avatar.js';
export type { KeyRefusal } from './lorebook-matcher.js';
export {
  activateLorebook,
  type ActivatedLoreEntry,
  type ActivationReason,
  type LorebookActivation,
  type LorebookActivationOptions,
  type SkipReason,
  type SkippedLoreEntry,
} from './lorebook.js';
export { DEFAULT_REGEX_GUARD, type RegexGuard, type RegexRefusal } from './safe-regex.js';
export { cardFromProfile, profileFromCard, type AvatarProfile } from './profile-mapping.js';
