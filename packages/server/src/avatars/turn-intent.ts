import type { Emotion, EmotionLabel } from '@vibhava/protocol';

/**
 * What the visitor's message is doing, read from its words and its detected emotion: a small model
 * answers far better when told in one line what kind of reply fits (a 0.5B model congratulates a
 * visitor on a bereavement when it has to work that out alone).
 */
export type TurnIntent = 'about-me' | 'question' | 'glad' | 'joke' | 'sad' | 'upset' | 'worried' | 'surprised' | 'chat';

/** Fine emotion labels (GoEmotions) by the kind of reply they call for. */
const FEELINGS: ReadonlyArray<[TurnIntent, readonly EmotionLabel[]]> = [
  ['joke', ['amusement']],
  ['sad', ['sadness', 'grief', 'disappointment', 'remorse']],
  ['upset', ['anger', 'annoyance', 'disapproval', 'disgust']],
  ['worried', ['fear', 'nervousness']],
  ['surprised', ['surprise']],
  ['glad', ['joy', 'excitement', 'gratitude', 'pride', 'relief', 'love', 'admiration', 'optimism']],
];

/**
 * "What do you remember about me?", "what's my name?", "remind me what I said", "what am I
 * training for, remember?", "do you know where I work?" (not "…where I can park?"): the visitor
 * asks what the avatar knows of them.
 */
const ABOUT_ME =
  /\b(?:(?:do|did|can|could) you (?:still )?(?:remember|recall)|remind me|did I (?:tell|mention|say)|I (?:told|mentioned) (?:you|earlier|before)|what(?:'s| is| was) my (?:name|\w+)|who am i|(?:remember|know|recall)\b[^.?!]{0,30}\babout me|do you (?:still )?know (?:what|where|who|which|when|how old) (?:I|my)\b(?!\s+(?:can|could|should|need|must|have to|ought|might|may)\b))\b|\bremember\s*\?\s*$/i;
const QUESTION_START =
  /^(?:what|when|where|which|who|whom|whose|why|how|can|could|would|will|do|does|did|is|are|was|were|have|has|should|shall|may|might|any)\b/i;

/**
 * A joke in the forms visitors tell them: a riddle answered in the same message ("Why did the
 * baker go to therapy? He kneaded it."), a knock-knock joke, or one they laugh at themselves.
 * The emotion classifier reads most of these as neutral.
 */
const RIDDLE =
  /^(?:why (?:did|does|do|don't|doesn't|can't|couldn't|was the|is the|are the|were the)|what do you call|what did the|what does the|what's the difference|how do you (?:make|catch|get|fix)|how does an? |where do)\b[^?]{4,}\?\s*(?:because\b|it\b|he\b|she\b|they\b|a\b|an\b|the\b|to\b|\p{Lu})[^?]{2,}$/iu;
const LAUGHTER = /\b(?:knock,? knock|(?:ha){2,}|lol|lmao|rofl)\b|😂|🤣|😆/i;

export function looksLikeJoke(message: string): boolean {
  const text = message.trim();
  return RIDDLE.test(text) || (LAUGHTER.test(text) && !/\?\s*$/.test(text));
}

/**
 * The intent of a visitor's message. A clear feeling (detected at `feelingAt` intensity or more)
 * wins over the form of the message, except a question about what the avatar knows of them.
 */
export function turnIntent(message: string, emotion: Emotion | undefined, feelingAt = 0.5): TurnIntent {
  const text = message.trim();
  if (ABOUT_ME.test(text)) return 'about-me';
  if (looksLikeJoke(text)) return 'joke';
  if (emotion && emotion.intensity >= feelingAt) {
    const label = emotion.label as EmotionLabel;
    const feeling = FEELINGS.find(([, labels]) => labels.includes(label))?.[0];
    if (feeling) return feeling;
  }
  if (text.endsWith('?') || QUESTION_START.test(text)) return 'question';
  return 'chat';
}

export interface CompactGuidance {
  intent: TurnIntent;
  /** Whether facts from the site's knowledge came with this message (`whole`: all of them are in the system message). */
  facts: boolean | 'whole';
  /** Whether anything is known about the visitor (from earlier or this conversation). */
  knowsVisitor: boolean;
  /** Whether the site's contact details came with it (shown when no fact answers a question). */
  contact?: boolean;
}

const FEELING_GUIDANCE: Partial<Record<TurnIntent, string>> = {
  glad: 'The visitor shares good news or thanks you: be happy for them.',
  joke: 'The visitor is joking: enjoy the joke in a few words.',
  sad: 'The visitor shares something sad: gently say you are sorry. Do not offer products.',
  upset: 'The visitor is unhappy: apologise and offer to help put it right.',
  worried: 'The visitor is worried: reassure them kindly.',
  surprised: 'The visitor is surprised: react naturally.',
};

/**
 * One line of guidance for a small model, placed just before the visitor's message, or '' when
 * none is needed (an ordinary question whose facts came with it).
 */
export function compactGuidance({ intent, facts, knowsVisitor, contact }: CompactGuidance): string {
  if (intent === 'about-me') {
    return knowsVisitor
      ? 'The visitor asks about themselves: answer from what they told you before, speaking to them as "you" (for example "You told me you…").'
      : 'You know nothing about the visitor yet: say so kindly and invite them to tell you about themselves.';
  }
  const feeling = FEELING_GUIDANCE[intent];
  if (feeling) return feeling;
  if (intent === 'question' && facts === 'whole') {
    // Worded without "the website": the model echoed it ("The website doesn't provide information
    // about … The only information given is …"). Tuning half, seed 1, 57 scored replies: 19 → 16 failures.
    return "If one of your facts answers this, answer from it. If none does, say only that you're not sure and how to contact them: don't say yes or no.";
  }
  if (intent === 'question' && !facts) {
    return contact
      ? "If this is about the website, no fact answers it: say you're not sure, and say how to contact them."
      : "If this is about the website, no fact answers it: say you're not sure rather than guess.";
  }
  return '';
}
