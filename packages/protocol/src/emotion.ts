import { z } from 'zod/mini';

/**
 * Ekman's six basic emotions plus neutral: the groups the 28 GoEmotions labels map onto, and the
 * expressions an avatar's face can show.
 */
export const EKMAN_EMOTIONS = ['neutral', 'joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust'] as const;
export const EkmanEmotionSchema = z.enum(EKMAN_EMOTIONS);
export type EkmanEmotion = z.infer<typeof EkmanEmotionSchema>;

/** The 28 GoEmotions labels (Demszky et al., ACL 2020), in the dataset's order. */
export const GOEMOTIONS_LABELS = [
  'admiration',
  'amusement',
  'anger',
  'annoyance',
  'approval',
  'caring',
  'confusion',
  'curiosity',
  'desire',
  'disappointment',
  'disapproval',
  'disgust',
  'embarrassment',
  'excitement',
  'fear',
  'gratitude',
  'grief',
  'joy',
  'love',
  'nervousness',
  'optimism',
  'pride',
  'realization',
  'relief',
  'remorse',
  'sadness',
  'surprise',
  'neutral',
] as const;
export const EmotionLabelSchema = z.enum(GOEMOTIONS_LABELS);
export type EmotionLabel = z.infer<typeof EmotionLabelSchema>;

/**
 * An emotion attached to a message. Visitor messages carry one of the 28 fine labels from the
 * classifier; avatar replies carry the expression the model chose (label and group are the same).
 */
export const EmotionSchema = z.object({
  label: z.union([EmotionLabelSchema, EkmanEmotionSchema]),
  ekman: EkmanEmotionSchema,
  /** 0 (barely) to 1 (strongly). */
  intensity: z.number().check(z.gte(0), z.lte(1)),
});
export type Emotion = z.infer<typeof EmotionSchema>;
