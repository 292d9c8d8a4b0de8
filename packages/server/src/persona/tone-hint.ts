import type { ToneState } from './adaptation.js';

/** Shifts smaller than this are left out of the hint: too small to put into words. */
const NOTICEABLE = 0.1;

const degree = (value: number) => {
  const size = Math.abs(value);
  if (size < 0.34) return 'a little';
  if (size < 0.67) return 'noticeably';
  return 'much';
};

/** Puts a tone state into instructions for the system message; empty when nothing has shifted. */
export function toneHint(state: ToneState): string {
  const parts: string[] = [];
  const { warmth, brevity, formality, energy } = state;
  if (warmth >= NOTICEABLE) {
    parts.push(
      `Be ${degree(warmth)} gentler and warmer than usual: acknowledge how the visitor feels before getting to the facts.`,
    );
  } else if (warmth <= -NOTICEABLE) {
    parts.push(`Be ${degree(warmth)} more matter-of-fact than usual.`);
  }
  if (brevity >= NOTICEABLE) {
    const length =
      brevity >= 0.67 ? 'one or two sentences' : brevity >= 0.34 ? 'at most three sentences' : 'trim extra detail';
    parts.push(`Keep replies ${degree(brevity)} shorter than usual (${length}) and lead with the answer.`);
  } else if (brevity <= -NOTICEABLE) {
    parts.push(`Give ${degree(brevity)} fuller, more detailed answers than usual, with an example where it helps.`);
  }
  if (formality >= NOTICEABLE) {
    parts.push(`Make your register ${degree(formality)} more formal and polished than usual.`);
  } else if (formality <= -NOTICEABLE) {
    parts.push(`Make your register ${degree(formality)} more relaxed and conversational than usual.`);
  }
  if (energy >= NOTICEABLE) {
    parts.push(`Match the visitor's enthusiasm ${degree(energy) === 'much' ? 'fully' : 'a little more'}.`);
  } else if (energy <= -NOTICEABLE) {
    parts.push('Keep a calm, steady pace: no exclamation marks, jokes or hype.');
  }
  return parts.join(' ');
}
