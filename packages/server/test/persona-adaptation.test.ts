import { describe, expect, it } from 'vitest';
import {
  AdaptationBoundsSchema,
  DEFAULT_ADAPTATION_BOUNDS,
  NEUTRAL_TONE,
  adaptTone,
  toneHint,
  type AdaptToneInput,
  type ToneFeedback,
  type ToneState,
} from '../src/persona/index.js';

const calm = { recentFeedback: [], recentVisitorMessages: ['How do I reset my password?'] };
const bounds = (overrides: Record<string, unknown> = {}) => AdaptationBoundsSchema.parse(overrides);
const sad = (intensity: number) => ({ label: 'sadness', ekman: 'sadness' as const, intensity });

function turn(input: Partial<AdaptToneInput> = {}) {
  return adaptTone({ bounds: DEFAULT_ADAPTATION_BOUNDS, ...calm, ...input });
}

describe('adaptTone: emotion', () => {
  it('gets gentler and calmer with an upset visitor, clamped at the author bounds', () => {
    const result = turn({ bounds: bounds({ maxWarmthShift: 0.5 }), visitorEmotion: sad(0.82) });
    expect(result.state).toEqual({ warmth: 0.5, brevity: 0, formality: 0, energy: -0.4 });
    expect(result.changes).toEqual([
      {
        dimension: 'warmth',
        from: 0,
        to: 0.5,
        reason: "visitor seemed upset (sadness 0.82); capped at the author's limit of 0.5",
      },
      {
        dimension: 'energy',
        from: 0,
        to: -0.4,
        reason: "visitor seemed upset (sadness 0.82): calmer pacing; capped at the author's limit of 0.4",
      },
    ]);
    expect(result.hint).toBe(
      'Be noticeably gentler and warmer than usual: acknowledge how the visitor feels before getting to the facts. ' +
        'Keep a calm, steady pace: no exclamation marks, jokes or hype.',
    );
  });

  it('follows the intensity when it is within bounds, and ignores weak or neutral emotions', () => {
    const afraid = turn({ visitorEmotion: { label: 'nervousness', ekman: 'fear', intensity: 0.65 } });
    expect(afraid.state.warmth).toBe(0.6);
    const angry = turn({
      bounds: bounds({ maxWarmthShift: 1 }),
      visitorEmotion: { label: 'anger', ekman: 'anger', intensity: 0.7 },
    });
    expect(angry.changes[0]).toEqual({
      dimension: 'warmth',
      from: 0,
      to: 0.7,
      reason: 'visitor seemed upset (anger 0.70)',
    });
    expect(turn({ visitorEmotion: sad(0.4) })).toEqual({ state: NEUTRAL_TONE, hint: '', changes: [] });
    expect(turn({ visitorEmotion: { label: 'neutral', ekman: 'neutral', intensity: 0.99 } }).changes).toEqual([]);
  });

  it('matches an excited visitor with more energy', () => {
    const result = turn({ visitorEmotion: { label: 'excitement', ekman: 'joy', intensity: 0.9 } });
    expect(result.state.energy).toBe(0.4);
    expect(result.changes[0]?.reason).toBe(
      "visitor sounds excited (excitement 0.90); capped at the author's limit of 0.4",
    );
    expect(result.hint).toBe("Match the visitor's enthusiasm a little more.");
  });

  it('holds the shift while the visitor stays upset, then eases back on calm turns', () => {
    const first = turn({ visitorEmotion: sad(0.9) });
    expect(first.state.warmth).toBe(0.6);
    const still = turn({ visitorEmotion: sad(0.7), previous: first.state });
    expect(still.state).toEqual(first.state);
    expect(still.changes).toEqual([]);

    const warmth: number[] = [];
    let previous: ToneState = still.state;
    for (let i = 0; i < 4; i++) {
      const next = turn({ previous });
      warmth.push(next.state.warmth);
      previous = next.state;
    }
    expect(warmth).toEqual([0.4, 0.2, 0, 0]);
    const eased = turn({ previous: first.state });
    expect(eased.changes.map((change) => change.reason)).toEqual([
      'a calm turn: easing back toward the usual tone',
      'a calm turn: easing back toward the usual tone',
    ]);
    expect(toneHint(previous)).toBe('');
  });

  it('eases back at the rate the author sets', () => {
    const result = turn({ bounds: bounds({ decayPerTurn: 0.5 }), previous: { ...NEUTRAL_TONE, warmth: 0.6 } });
    expect(result.state.warmth).toBe(0.1);
  });
});

describe('adaptTone: turned off', () => {
  it('changes nothing when the author disables adaptation', () => {
    const result = turn({
      bounds: bounds({ enabled: false }),
      visitorEmotion: sad(0.95),
      recentVisitorMessages: ['too long', 'shorter please', 'tl;dr'],
    });
    expect(result).toEqual({ state: NEUTRAL_TONE, hint: '', changes: [] });
  });

  it('returns to the authored tone when adaptation is switched off mid-conversation', () => {
    const result = turn({ bounds: bounds({ enabled: false }), previous: { ...NEUTRAL_TONE, brevity: 0.6 } });
    expect(result.state).toEqual(NEUTRAL_TONE);
    expect(result.changes).toEqual([
      { dimension: 'brevity', from: 0.6, to: 0, reason: 'tone adaptation is turned off for this avatar' },
    ]);
  });

  it('leaves a dimension alone when its shift is 0 or brevity is not allowed', () => {
    const messages = ['be brief', 'shorter!', 'too long'];
    expect(turn({ bounds: bounds({ allowBrevity: false }), recentVisitorMessages: messages }).state.brevity).toBe(0);
    expect(turn({ bounds: bounds({ maxWarmthShift: 0 }), visitorEmotion: sad(0.9) }).state.warmth).toBe(0);
  });
});

describe('adaptTone: brevity', () => {
  it('gets shorter when the visitor keeps asking for it', () => {
    const one = turn({ recentVisitorMessages: ['What plans do you have?', 'ok too long, be brief'] });
    expect(one.state.brevity).toBe(0.3);
    const result = turn({
      recentVisitorMessages: ['What plans do you have?', 'too long', 'And for teams?', 'tl;dr please', 'ok'],
      previous: one.state,
    });
    expect(result.state.brevity).toBe(0.6);
    expect(result.changes).toEqual([
      { dimension: 'brevity', from: 0.3, to: 0.6, reason: 'asked for shorter replies 2× in the last 5 messages' },
    ]);
    expect(result.hint).toBe(
      'Keep replies noticeably shorter than usual (at most three sentences) and lead with the answer.',
    );
  });

  it('counts only the last five messages', () => {
    const old = ['shorter please', 'be concise', 'tl;dr'];
    const recent = ['ok', 'what about pricing?', 'and shipping?', 'thanks', 'one more thing'];
    expect(turn({ recentVisitorMessages: [...old, ...recent] }).state.brevity).toBe(0);
  });

  it('needs several thumbs-down for long replies before acting on feedback alone', () => {
    const at = (minute: number) => new Date(Date.UTC(2025, 5, 3, 14, minute));
    const down = (minute: number, reason = 'too_long'): ToneFeedback => ({ rating: 'down', reason, at: at(minute) });
    expect(turn({ recentFeedback: [down(1)] }).state.brevity).toBe(0);
    const result = turn({ recentFeedback: [down(1), { rating: 'up', at: at(2) }, down(3, 'Way too long to read')] });
    expect(result.state.brevity).toBe(0.3);
    expect(result.changes[0]?.reason).toBe('2 thumbs-down for long replies');
    // Only the five most recent entries count, whatever order they arrive in.
    const stale = [down(1), down(2), down(3)];
    const fresh = [4, 5, 6, 7, 8].map((minute) => ({ rating: 'up' as const, at: at(minute).toISOString() }));
    expect(turn({ recentFeedback: [...fresh, ...stale] }).state.brevity).toBe(0);
  });

  it('gets more detailed when asked to elaborate', () => {
    const result = turn({ recentVisitorMessages: ['Can you explain more?', 'I need more detail on the setup'] });
    expect(result.state.brevity).toBe(-0.6);
    expect(result.changes[0]?.reason).toBe('asked for more detailed replies 2× in the last 2 messages');
    expect(result.hint).toBe(
      'Give noticeably fuller, more detailed answers than usual, with an example where it helps.',
    );
  });
});

describe('adaptTone: formality and warmth feedback', () => {
  it('relaxes for a visitor who writes casually and formalises on request', () => {
    const casual = turn({ recentVisitorMessages: ['hey so how much is it lol', 'ok cool', 'thx btw'] });
    expect(casual.state.formality).toBe(-0.3);
    expect(casual.changes[0]?.reason).toBe('visitor writes casually (2 of the last 3 messages)');
    const formal = turn({ recentVisitorMessages: ['Please be more formal with me.'] });
    expect(formal.state.formality).toBe(0.4);
    expect(formal.changes[0]?.reason).toBe("asked for a more formal tone 1×; capped at the author's limit of 0.4");
    expect(formal.hint).toBe('Make your register noticeably more formal and polished than usual.');
  });

  it('warms up after feedback that it came across as cold', () => {
    const result = turn({ recentFeedback: [{ rating: 'down', reason: 'rude', at: '2025-06-03T14:00:00Z' }] });
    expect(result.changes).toEqual([
      { dimension: 'warmth', from: 0, to: 0.3, reason: '1 thumbs-down for coming across as cold' },
    ]);
  });
});

describe('toneHint', () => {
  it('is empty for the authored tone and scales its wording with the shift', () => {
    expect(toneHint(NEUTRAL_TONE)).toBe('');
    expect(toneHint({ ...NEUTRAL_TONE, brevity: 0.05 })).toBe('');
    expect(toneHint({ ...NEUTRAL_TONE, brevity: 0.2 })).toBe(
      'Keep replies a little shorter than usual (trim extra detail) and lead with the answer.',
    );
    expect(toneHint({ ...NEUTRAL_TONE, brevity: 0.8, formality: -0.3 })).toBe(
      'Keep replies much shorter than usual (one or two sentences) and lead with the answer. ' +
        'Make your register a little more relaxed and conversational than usual.',
    );
  });
});
