import type { LabelledText } from '../src/emotion/goemotions-tsv.js';

/** A small synthetic corpus: cue words for four emotions among neutral filler, from a seeded PRNG. */
export function syntheticCorpus(size: number, seed: number): LabelledText[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const cues: [number, string[]][] = [
    [15, ['thanks', 'thank you', 'grateful', 'appreciate it']],
    [2, ['furious', 'angry', 'enraged', 'livid']],
    [14, ['scared', 'afraid', 'terrified', 'frightened']],
    [25, ['sad', 'crying', 'heartbroken', 'miserable']],
  ];
  const filler = ['the', 'store', 'tent', 'today', 'we', 'went', 'to', 'a', 'shop', 'order', 'it', 'is', 'price', 'my'];
  return Array.from({ length: size }, (_, row) => {
    const words = Array.from({ length: 4 + Math.floor(next() * 4) }, () => pick(filler));
    const emotional = next() < 0.6;
    const [label, words_] = emotional ? pick(cues) : [27, []];
    if (emotional) words.splice(Math.floor(next() * words.length), 0, pick(words_));
    return { text: words.join(' '), labels: [label], id: `s${seed}-${row}` };
  });
}
