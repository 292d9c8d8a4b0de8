/**
 * The Ekman categories an emotion detector reports. Labels follow the common classifier set
 * (`joy`, not `happiness`) plus `contempt`, Ekman's seventh, and `neutral`.
 */
export const EKMAN_EMOTIONS = [
  'anger',
  'contempt',
  'disgust',
  'fear',
  'joy',
  'sadness',
  'surprise',
  'neutral',
] as const;
export type EkmanEmotion = (typeof EKMAN_EMOTIONS)[number];

/**
 * The facial expressions an avatar can have an image for: one per Ekman emotion (contempt
 * shares `disgusted`, which is what most avatar packs draw), plus the conversational states.
 */
export const AVATAR_EXPRESSIONS = [
  'neutral',
  'happy',
  'sad',
  'angry',
  'surprised',
  'afraid',
  'disgusted',
  'thinking',
  'speaking',
  'listening',
] as const;
export type AvatarExpression = (typeof AVATAR_EXPRESSIONS)[number];

const EXPRESSION_FOR_EMOTION: Readonly<Record<EkmanEmotion, AvatarExpression>> = {
  anger: 'angry',
  contempt: 'disgusted',
  disgust: 'disgusted',
  fear: 'afraid',
  joy: 'happy',
  sadness: 'sad',
  surprise: 'surprised',
  neutral: 'neutral',
};

/** The expression that shows an Ekman emotion. */
export function expressionForEmotion(emotion: EkmanEmotion): AvatarExpression {
  return EXPRESSION_FOR_EMOTION[emotion];
}

/**
 * The image to show for an expression: its own, else `neutral`'s, else undefined (the widget
 * then shows its placeholder).
 */
export function imageForExpression(
  images: Partial<Record<AvatarExpression, string>> | undefined,
  expression: AvatarExpression,
): string | undefined {
  return images?.[expression] ?? images?.neutral;
}
