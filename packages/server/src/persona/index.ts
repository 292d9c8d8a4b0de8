export {
  AdaptationBoundsSchema,
  AvatarColorsSchema,
  AvatarImagesSchema,
  AvatarProfileDraftSchema,
  AvatarProfilePatchSchema,
  AvatarProfileSchema,
  BigFiveTraitsSchema,
  DEFAULT_ADAPTATION_BOUNDS,
  PROFILE_LIMITS,
  applyProfilePatch,
  type AdaptationBounds,
  type AvatarProfile,
  type AvatarProfileDraft,
  type AvatarProfileInput,
  type AvatarProfilePatch,
  type BigFiveTraits,
} from './avatar-profile.js';
export {
  AVATAR_EXPRESSIONS,
  EKMAN_EMOTIONS,
  expressionForEmotion,
  imageForExpression,
  type AvatarExpression,
  type EkmanEmotion,
} from './expressions.js';
export { isCssColor } from './css-color.js';
export { BUILT_IN_TEMPLATE_IDS } from './built-in-templates.js';
export {
  PersonalityTemplateSchema,
  applyTemplate,
  getBuiltInTemplate,
  listBuiltInTemplates,
  type BuiltInTemplateId,
  type PersonalityTemplate,
} from './templates.js';
export { TRAIT_NAMES, traitBand, traitsToStyle, type TraitBand, type TraitName } from './traits.js';
export { expandCardMacros } from './card-macros.js';
export { DEFAULT_SYSTEM_TEMPLATE } from './default-system-template.js';
export { SANDBOX_LIMITS } from './sandbox-limits.js';
export type { TemplateError } from './template-error.js';
export {
  TEMPLATE_VARIABLES,
  buildTemplateVariables,
  type SystemMessageContext,
  type SystemTemplateVariables,
} from './template-variables.js';
export {
  PREVIEW_CONTEXT,
  compileSystemTemplate,
  previewSystemMessage,
  renderSystemMessage,
  type CompileResult,
  type CompiledSystemTemplate,
  type RenderSystemMessageOptions,
  type SystemMessageResult,
} from './system-template.js';
export {
  NEUTRAL_TONE,
  TONE_DIMENSIONS,
  TONE_WINDOW,
  adaptTone,
  type AdaptToneInput,
  type ToneAdaptation,
  type ToneChange,
  type ToneDimension,
  type ToneFeedback,
  type ToneState,
  type VisitorEmotion,
} from './adaptation.js';
export { toneHint } from './tone-hint.js';
