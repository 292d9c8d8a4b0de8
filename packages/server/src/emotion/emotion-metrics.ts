/**
 * Multi-label scoring as in the GoEmotions paper: a binary F1 per label (precision and recall of
 * "this label is among the text's labels"), averaged over labels with equal weight (macro-F1).
 */

/** F1 from counts; 0 when the label is neither predicted nor present. */
export function f1Score(truePositives: number, falsePositives: number, falseNegatives: number): number {
  const denominator = 2 * truePositives + falsePositives + falseNegatives;
  return denominator === 0 ? 0 : (2 * truePositives) / denominator;
}

/** Per-label F1 and their mean, for predicted and gold label sets over the same items. */
export function macroF1(
  predicted: readonly (readonly number[])[],
  gold: readonly (readonly number[])[],
  labelCount: number,
): { macro: number; perLabel: number[] } {
  const tp = new Array<number>(labelCount).fill(0);
  const fp = new Array<number>(labelCount).fill(0);
  const fn = new Array<number>(labelCount).fill(0);
  for (let item = 0; item < gold.length; item++) {
    const truth = new Set(gold[item]);
    const guess = new Set(predicted[item]);
    for (const label of guess) {
      if (truth.has(label)) tp[label]!++;
      else fp[label]!++;
    }
    for (const label of truth) if (!guess.has(label)) fn[label]!++;
  }
  const perLabel = tp.map((count, label) => f1Score(count, fp[label]!, fn[label]!));
  return { macro: perLabel.reduce((sum, value) => sum + value, 0) / labelCount, perLabel };
}

/**
 * The decision threshold on `scores` that maximises binary F1 against `positives`: the midpoint
 * between the last score predicted positive and the next one down. Ties in score move together.
 */
export function bestF1Threshold(
  scores: ArrayLike<number>,
  positives: ArrayLike<boolean>,
): { threshold: number; f1: number } {
  const order = Array.from({ length: scores.length }, (_, index) => index).sort(
    (a, b) => scores[b]! - scores[a]! || a - b,
  );
  let totalPositives = 0;
  for (let index = 0; index < positives.length; index++) if (positives[index]) totalPositives++;
  let best = { threshold: Number.POSITIVE_INFINITY, f1: 0 };
  let truePositives = 0;
  for (let rank = 0; rank < order.length; rank++) {
    const item = order[rank]!;
    if (positives[item]) truePositives++;
    const next = order[rank + 1];
    if (next !== undefined && scores[next] === scores[item]) continue;
    const f1 = f1Score(truePositives, rank + 1 - truePositives, totalPositives - truePositives);
    if (f1 > best.f1) {
      const below = next === undefined ? scores[item]! - 1e-6 : scores[next]!;
      best = { threshold: (scores[item]! + below) / 2, f1 };
    }
  }
  return best;
}
