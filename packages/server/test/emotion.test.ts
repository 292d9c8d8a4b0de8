import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmotionClassifier, loadEmotionClassifier } from '../src/emotion/emotion-classifier.js';
import { tokenize } from '../src/emotion/emotion-features.js';
import { EKMAN_EMOTIONS, EKMAN_OF, EMOTION_LABELS, ekmanIndices } from '../src/emotion/emotion-labels.js';
import { bestF1Threshold, macroF1 } from '../src/emotion/emotion-metrics.js';
import { decodeEmotionModel, EmotionModelFileError, encodeEmotionModel } from '../src/emotion/emotion-model-file.js';
import { trainEmotionModel } from '../src/emotion/emotion-trainer.js';
import { GoEmotionsFormatError, parseGoEmotionsTsv } from '../src/emotion/goemotions-tsv.js';
import { syntheticCorpus } from './emotion-corpus.js';

describe('shipped emotion classifier', () => {
  let classifier: EmotionClassifier;
  beforeAll(async () => {
    classifier = await loadEmotionClassifier();
  });

  it.each([
    ['thank you so much!', 'gratitude', 'joy'],
    ["I'm so scared", 'fear', 'fear'],
    ['I hate this', 'anger', 'anger'],
    ['I am so sad today', 'sadness', 'sadness'],
    ['lol that is hilarious 😂', 'amusement', 'joy'],
    ['That is disgusting.', 'disgust', 'disgust'],
    ['Wow, I did not expect that!', 'surprise', 'surprise'],
    ['hello', 'neutral', 'neutral'],
  ] as const)('labels %j as %s (%s)', (text, label, ekman) => {
    const result = classifier.classify(text);
    expect(result.label).toBe(label);
    expect(result.ekman).toBe(ekman);
    expect(EKMAN_OF[result.label]).toBe(result.ekman);
  });

  it('sees anger in a furious complaint, though "awful" makes disgust the single answer', () => {
    const result = classifier.classify("this is awful, I'm furious");
    expect(result.ekmanGroups).toContain('anger');
    expect(['anger', 'disgust']).toContain(result.ekman);
  });

  it('reads a negation: "not happy" is not joy', () => {
    expect(classifier.classify('I am not happy with the service').ekman).not.toBe('joy');
    expect(classifier.classify('I am happy with the service').ekman).toBe('joy');
  });

  it('keeps intensity in 0..1, high for clear emotion and low for neutral text', () => {
    const texts = ['I am so sad today', 'hello', 'ok', '', 'THIS IS THE WORST!!!', '😂😂😂', 'What time do you open?'];
    for (const text of texts) {
      const { intensity } = classifier.classify(text);
      expect(intensity).toBeGreaterThanOrEqual(0);
      expect(intensity).toBeLessThanOrEqual(1);
    }
    expect(classifier.classify('I am so sad today').intensity).toBeGreaterThan(0.7);
    expect(classifier.classify('hello').intensity).toBeLessThan(0.3);
  });

  it('answers neutral with intensity 0 for text with no known features', () => {
    for (const text of ['', '   ', '\u0000', '؟']) {
      const result = classifier.classify(text);
      expect(result).toMatchObject({ label: 'neutral', ekman: 'neutral', intensity: 0, labels: ['neutral'] });
      expect(result.scores).toHaveLength(3);
    }
  });

  it('handles emoji-only and very long input', () => {
    expect(classifier.classify('😂😂😂').ekman).toBe('joy');
    const long = 'I really love this little shop and the people in it. '.repeat(400);
    const started = performance.now();
    const result = classifier.classify(long);
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.ekman).toBe('joy');
  });

  it('returns the multi-label sets and the top three scores, consistently', () => {
    const result = classifier.classify('Thanks so much, I love it!');
    expect(result.labels).toEqual(expect.arrayContaining(['gratitude', 'love']));
    expect(result.ekmanGroups).toContain('joy');
    expect(result.scores.map((score) => score.probability)).toEqual(
      [...result.scores.map((score) => score.probability)].sort((a, b) => b - a),
    );
    const probabilities = classifier.probabilities('Thanks so much, I love it!');
    expect(probabilities.labels).toHaveLength(28);
    expect(probabilities.ekman).toHaveLength(7);
  });

  it('is deterministic: same text, same answer, in the same and in a fresh instance', async () => {
    const text = 'Ugh, my order is late again and nobody answers.';
    const fresh = await EmotionClassifier.load();
    expect(classifier.classify(text)).toEqual(classifier.classify(text));
    expect(fresh.classify(text)).toEqual(classifier.classify(text));
    expect(await loadEmotionClassifier()).toBe(classifier);
  });

  it('classifies a message in well under 5 ms', () => {
    const texts = ['thank you so much!', 'Where is my refund? This is ridiculous.', 'hello there', 'I am worried'];
    const times: number[] = [];
    for (let round = 0; round < 100; round++) {
      for (const text of texts) {
        const started = performance.now();
        classifier.classify(text);
        times.push(performance.now() - started);
      }
    }
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(5);
  });
});

describe('emotion labels', () => {
  it('has the 28 GoEmotions labels and maps each to one of the 7 Ekman groups', () => {
    expect(EMOTION_LABELS).toHaveLength(28);
    expect(EMOTION_LABELS[27]).toBe('neutral');
    for (const label of EMOTION_LABELS) expect(EKMAN_EMOTIONS).toContain(EKMAN_OF[label]);
    expect(ekmanIndices([2, 3, 15, 27])).toEqual([0, 3, 4]); // anger, annoyance → anger; gratitude → joy; neutral
  });
});

describe('emotion features', () => {
  it('tokenizes emoji, emoticons, placeholders, shouting and apostrophes', () => {
    expect(tokenize('WHY [NAME] I’m sad :( 😂!!!')).toEqual([
      'why',
      '<caps>',
      '[name]',
      "i'm",
      'sad',
      ':(',
      '😂',
      '!!',
    ]);
  });
});

describe('emotion training (synthetic data)', () => {
  const train = syntheticCorpus(600, 1);
  const tune = syntheticCorpus(300, 2);
  const options = { epochs: 3, minDocumentFrequency: 2 };

  it('learns the cue words and keeps neutral filler neutral', () => {
    const { model, report } = trainEmotionModel(train, tune, options);
    const classifier = new EmotionClassifier(model);
    expect(classifier.classify('we went to the shop and i am so grateful').label).toBe('gratitude');
    expect(classifier.classify('the price is terrified my order').label).toBe('fear');
    expect(classifier.classify('my order is heartbroken today').ekman).toBe('sadness');
    expect(classifier.classify('the tent is at the store today').label).toBe('neutral');
    expect(report.labelF1['gratitude']).toBeGreaterThan(0.9);
    expect(report.ekmanF1['fear']).toBeGreaterThan(0.9);
    expect(report.crossFitted.ekmanMacroF1).toBeGreaterThan(0);
  });

  it('is deterministic: the same data and options give the same weights file, byte for byte', () => {
    const first = encodeEmotionModel(trainEmotionModel(train, tune, options).model);
    const second = encodeEmotionModel(trainEmotionModel(train, tune, options).model);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
  });

  it('round-trips through the weights file, and the file is what training measured', () => {
    const { model } = trainEmotionModel(train, tune, options);
    const bytes = encodeEmotionModel(model, { note: 'test' });
    const { model: decoded, about } = decodeEmotionModel(bytes);
    expect(about).toEqual({ note: 'test' });
    expect(decoded.vocabulary).toEqual(model.vocabulary);
    expect(Array.from(decoded.thresholds)).toEqual(Array.from(model.thresholds));
    // Training already quantised the weights, so the file holds them unchanged.
    expect(Array.from(decoded.weights)).toEqual(Array.from(model.weights));
    const original = new EmotionClassifier(model);
    const loaded = EmotionClassifier.fromBytes(bytes);
    for (const { text } of tune.slice(0, 20)) expect(loaded.classify(text)).toEqual(original.classify(text));
  });

  it('rejects bytes that are not a weights file', () => {
    expect(() => decodeEmotionModel(new Uint8Array([1, 2, 3]))).toThrow(EmotionModelFileError);
    expect(() => decodeEmotionModel(gzipSync(Buffer.from('NOPE and more bytes')))).toThrow(/bad magic/);
    const { model } = trainEmotionModel(train, tune, options);
    const body = gunzipSync(encodeEmotionModel(model));
    expect(() => decodeEmotionModel(gzipSync(body.subarray(0, body.length - 10)))).toThrow(/truncated/);
  });
});

describe('GoEmotions TSV and metrics', () => {
  it('parses rows and refuses malformed ones', () => {
    const rows = parseGoEmotionsTsv('Thanks!\t15\tabc\nWhat?\t6,7\tdef\n');
    expect(rows).toEqual([
      { text: 'Thanks!', labels: [15], id: 'abc' },
      { text: 'What?', labels: [6, 7], id: 'def' },
    ]);
    expect(() => parseGoEmotionsTsv('no tabs here\n')).toThrow(GoEmotionsFormatError);
    expect(() => parseGoEmotionsTsv('text\t28\tid\n')).toThrow(/bad label ids/);
  });

  it('scores macro-F1 per label and finds the F1-optimal threshold', () => {
    const { macro, perLabel } = macroF1([[0], [0, 1], []], [[0], [1], [1]], 2);
    expect(perLabel[0]).toBeCloseTo(2 / 3); // tp 1, fp 1, fn 0
    expect(perLabel[1]).toBeCloseTo(2 / 3); // tp 1, fp 0, fn 1
    expect(macro).toBeCloseTo(2 / 3);
    const best = bestF1Threshold([0.9, 0.8, 0.3, 0.1], [true, true, false, false]);
    expect(best.f1).toBe(1);
    expect(best.threshold).toBeCloseTo(0.55);
  });
});
