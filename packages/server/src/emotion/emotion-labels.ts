import { GOEMOTIONS_LABELS } from '@vibhava/protocol';

/**
 * The GoEmotions taxonomy (Demszky et al., ACL 2020, arXiv:2005.00547; data CC BY 4.0): 27
 * emotions plus neutral, in the dataset's label-id order, and the paper's grouping of them into
 * Ekman's six basic emotions plus neutral.
 */

/**
 * The 28 GoEmotions labels; the index of each is its label id in the dataset files. The wire
 * contract holds the list (messages carry these labels), in the same order.
 */
export const EMOTION_LABELS = GOEMOTIONS_LABELS;

/** One of the 28 GoEmotions labels. */
export type EmotionLabel = (typeof EMOTION_LABELS)[number];

/** Ekman's six basic emotions plus neutral, in the order of the dataset's `goemotions_ekman_labels.txt`. */
export const EKMAN_EMOTIONS = ['anger', 'disgust', 'fear', 'joy', 'neutral', 'sadness', 'surprise'] as const;

/** One of the seven Ekman groups. */
export type EkmanEmotion = (typeof EKMAN_EMOTIONS)[number];

/** Each GoEmotions label's Ekman group, as in the dataset's `goemotions_ekman_mapping.json`. */
export const EKMAN_OF: Readonly<Record<EmotionLabel, EkmanEmotion>> = {
  admiration: 'joy',
  amusement: 'joy',
  anger: 'anger',
  annoyance: 'anger',
  approval: 'joy',
  caring: 'joy',
  confusion: 'surprise',
  curiosity: 'surprise',
  desire: 'joy',
  disappointment: 'sadness',
  disapproval: 'anger',
  disgust: 'disgust',
  embarrassment: 'sadness',
  excitement: 'joy',
  fear: 'fear',
  gratitude: 'joy',
  grief: 'sadness',
  joy: 'joy',
  love: 'joy',
  nervousness: 'fear',
  optimism: 'joy',
  pride: 'joy',
  realization: 'surprise',
  relief: 'joy',
  remorse: 'sadness',
  sadness: 'sadness',
  surprise: 'surprise',
  neutral: 'neutral',
};

/** Ekman group index (into {@link EKMAN_EMOTIONS}) of each label id. */
export const EKMAN_INDEX_OF_LABEL: readonly number[] = EMOTION_LABELS.map((label) =>
  EKMAN_EMOTIONS.indexOf(EKMAN_OF[label]),
);

/** Maps a set of GoEmotions label ids to the sorted, distinct Ekman group indices they fall in. */
export function ekmanIndices(labelIds: readonly number[]): number[] {
  const groups = new Set<number>();
  for (const id of labelIds) {
    const group = EKMAN_INDEX_OF_LABEL[id];
    if (group !== undefined) groups.add(group);
  }
  return [...groups].sort((a, b) => a - b);
}
