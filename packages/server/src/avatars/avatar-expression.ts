import type { EkmanEmotion, Emotion, EmotionLabel } from '@vibhava/protocol';
import type { EmotionDetector } from '../emotion/index.js';
import { looksLikeJoke } from './turn-intent.js';

/**
 * The avatar's face for a reply written in plain text (small models, and servers without
 * structured output): chosen by the visitor-emotion classifier, not by the model.
 *
 * First, before any word, the face answers the visitor's message with empathy: glad with a glad
 * visitor, concerned (`sadness`) with a sad, angry or disgusted one, worried (`fear`) with a
 * frightened one, surprised with a surprised one. Then, once the reply is written, the reply's
 * own emotion may take over when the first reading was neutral and the reply clearly shows one.
 */
export interface ExpressionSettings {
  /** A visitor's feeling counts from this intensity (0..1). */
  visitorAt: number;
  /** The reply's own emotion counts from this intensity, when the visitor's gave none. */
  replyAt: number;
}

export const DEFAULT_EXPRESSION_SETTINGS: ExpressionSettings = { visitorAt: 0.35, replyAt: 0.6 };

/** The face that answers each fine emotion of the visitor. */
const EMPATHY: ReadonlyArray<[EkmanEmotion, readonly EmotionLabel[]]> = [
  ['joy', ['amusement', 'joy', 'excitement', 'gratitude', 'pride', 'relief', 'love', 'admiration', 'optimism']],
  ['sadness', ['sadness', 'grief', 'disappointment', 'remorse', 'anger', 'annoyance', 'disapproval', 'disgust']],
  ['fear', ['fear', 'nervousness']],
  ['surprise', ['surprise', 'realization']],
];

/** Faces the avatar never shows towards a visitor (at them, they read as hostile). */
const HOSTILE: readonly EkmanEmotion[] = ['anger', 'disgust'];

/** The face that answers the visitor's message, before the reply is written. */
export function expressionForVisitor(
  message: string,
  emotion: Emotion | undefined,
  settings: ExpressionSettings = DEFAULT_EXPRESSION_SETTINGS,
): EkmanEmotion {
  if (looksLikeJoke(message)) return 'joy';
  if (!emotion || emotion.intensity < settings.visitorAt) return 'neutral';
  const label = emotion.label as EmotionLabel;
  return EMPATHY.find(([, labels]) => labels.includes(label))?.[0] ?? 'neutral';
}

/**
 * The face once the reply is written: the one shown so far unless it was neutral and the reply
 * clearly says something else (never a hostile face).
 */
export async function expressionAfterReply(
  shown: EkmanEmotion,
  reply: string,
  detector: EmotionDetector | null,
  settings: ExpressionSettings = DEFAULT_EXPRESSION_SETTINGS,
): Promise<EkmanEmotion> {
  if (shown !== 'neutral' || !detector || !reply.trim()) return shown;
  const own = await detector.classify(reply);
  if (own.intensity < settings.replyAt || HOSTILE.includes(own.ekman)) return shown;
  return own.ekman;
}
