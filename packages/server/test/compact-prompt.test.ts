import type { Emotion } from '@vibhava/protocol';
import { describe, expect, it } from 'vitest';
import { expressionAfterReply, expressionForVisitor } from '../src/avatars/avatar-expression.js';
import { compactContext, thirdPerson } from '../src/avatars/compact-context.js';
import { compactGuidance, looksLikeJoke, turnIntent } from '../src/avatars/turn-intent.js';
import { LeadingLabelFilter } from '../src/conversations/reply-stream.js';
import { messageEmotion } from '../src/emotion/message-emotion.js';
import type { EmotionResult } from '../src/emotion/emotion-decision.js';
import type { RetrievedMemory } from '../src/memory/memory-search.js';

const feeling = (label: string, ekman: string, intensity: number) =>
  ({ label, ekman, intensity }) as unknown as Emotion & EmotionResult;

function memory(
  id: string,
  kind: 'fact' | 'episode',
  text: string,
  similarity: number,
  sources = [id],
): RetrievedMemory {
  return {
    id,
    kind,
    category: 'other',
    text,
    importance: 0.5,
    sourceMessageIds: sources,
    occurredAt: '2026-12-01T10:00:00Z',
    score: similarity,
    similarity,
  };
}

describe('reading a visitor message for a small model', () => {
  it('tells a question about the visitor, a joke, a feeling, a question and small talk apart', () => {
    expect(turnIntent('Do you remember what I’m allergic to?', undefined)).toBe('about-me');
    expect(turnIntent("Do you remember what I'm allergic to?", undefined)).toBe('about-me');
    expect(turnIntent("What's my name?", undefined)).toBe('about-me');
    expect(turnIntent('What am I training for, remember?', undefined)).toBe('about-me');
    expect(turnIntent('Do you know where I work?', undefined)).toBe('about-me');
    expect(turnIntent('Do you know where I can park?', undefined)).toBe('question');
    expect(turnIntent('Why did the baker go to therapy? He kneaded it.', undefined)).toBe('joke');
    expect(turnIntent('My cat died yesterday.', feeling('grief', 'sadness', 0.8))).toBe('sad');
    expect(turnIntent('My cat died yesterday.', feeling('grief', 'sadness', 0.2))).toBe('chat');
    expect(turnIntent('The bread was stale!', feeling('annoyance', 'anger', 0.7))).toBe('upset');
    expect(turnIntent('Do you deliver?', feeling('curiosity', 'surprise', 0.3))).toBe('question');
    expect(turnIntent('How much is a croissant', undefined)).toBe('question');
    expect(turnIntent('I like rye bread.', undefined)).toBe('chat');
  });

  it('recognises riddles and laughter, not questions followed by a complaint', () => {
    expect(looksLikeJoke('What do you call a bicycle that can’t stand up? Two-tired.')).toBe(true);
    expect(looksLikeJoke('Knock knock. Who’s there? Dentist.')).toBe(true);
    expect(looksLikeJoke('lol that is great')).toBe(true);
    expect(looksLikeJoke('Why is my bread stale? It was fresh yesterday.')).toBe(false);
    expect(looksLikeJoke('What time do you open? I want to come by.')).toBe(false);
    expect(looksLikeJoke('Haha ok, do you have anything gluten-free?')).toBe(false);
  });

  it('gives one line of guidance, or none for an ordinary answered question', () => {
    expect(compactGuidance({ intent: 'question', facts: true, knowsVisitor: false })).toBe('');
    expect(compactGuidance({ intent: 'question', facts: false, knowsVisitor: false, contact: true })).toMatch(
      /not sure.*contact/,
    );
    expect(compactGuidance({ intent: 'question', facts: 'whole', knowsVisitor: false })).toMatch(/don't say yes or no/);
    expect(compactGuidance({ intent: 'about-me', facts: false, knowsVisitor: false })).toMatch(/know nothing/);
    expect(compactGuidance({ intent: 'sad', facts: false, knowsVisitor: false })).toMatch(/sorry/);
  });

  it('reads a message by its most pressing sentence', () => {
    const whole = feeling('love', 'joy', 0.7);
    const grief = feeling('grief', 'sadness', 0.6);
    const glad = feeling('joy', 'joy', 0.9);
    expect(messageEmotion(whole, [grief, glad])).toBe(grief);
    expect(messageEmotion(whole, [feeling('grief', 'sadness', 0.2), glad])).toBe(whole);
    expect(messageEmotion(whole, [])).toBe(whole);
  });
});

describe('the avatar’s face for a plain-text reply', () => {
  it('answers the visitor’s feeling with empathy, never with a hostile face', () => {
    expect(expressionForVisitor('We got engaged!', feeling('excitement', 'joy', 0.8))).toBe('joy');
    expect(expressionForVisitor('Stale bread again.', feeling('annoyance', 'anger', 0.8))).toBe('sadness');
    expect(expressionForVisitor('I am scared of the dentist.', feeling('fear', 'fear', 0.8))).toBe('fear');
    expect(expressionForVisitor('Open on Sunday?', feeling('curiosity', 'surprise', 0.2))).toBe('neutral');
    expect(expressionForVisitor('Why did the baker go to therapy? He kneaded it.', undefined)).toBe('joy');
  });

  it('lets the reply’s own clear feeling replace a neutral first face', async () => {
    const detector = (reading: EmotionResult) => ({ classify: () => reading, classifyMessage: () => reading });
    expect(await expressionAfterReply('neutral', 'Congratulations!', detector(feeling('joy', 'joy', 0.9)))).toBe('joy');
    expect(await expressionAfterReply('neutral', 'Hmm.', detector(feeling('joy', 'joy', 0.3)))).toBe('neutral');
    expect(await expressionAfterReply('neutral', 'Ugh.', detector(feeling('anger', 'anger', 0.9)))).toBe('neutral');
    expect(await expressionAfterReply('sadness', 'Great!', detector(feeling('joy', 'joy', 0.9)))).toBe('sadness');
  });
});

describe('what a small model is given with a message', () => {
  it('words the visitor’s facts about them in the third person, and keeps the visitor’s wording for the trace', () => {
    expect(thirdPerson("You're allergic to walnuts.")).toBe("They're allergic to walnuts.");
    expect(thirdPerson('Your name is Priya.')).toBe('Their name is Priya.');
    expect(thirdPerson('You take oat milk in your coffee.')).toBe('They take oat milk in their coffee.');
    const context = compactContext({
      intent: 'question',
      knowledge: [],
      wholeKnowledge: true,
      memories: [memory('m1', 'fact', "You're allergic to walnuts.", 0.45)],
      visitorSpoke: false,
      avatarName: 'Vee',
    });
    expect(context.memories.map((m) => [m.text, m.shown])).toEqual([
      ["They're allergic to walnuts.", "You're allergic to walnuts."],
    ]);
  });

  it('prefers a fact to the exchange it came from, and brings up only what bears on the message', () => {
    const context = compactContext({
      intent: 'question',
      knowledge: [
        memory('k1', 'fact', 'Opening hours: Sunday 8:00 to 14:00.', 0.7),
        memory('k2', 'fact', 'Wi-Fi', 0.1),
      ],
      wholeKnowledge: false,
      memories: [
        memory('e1', 'episode', 'Visitor: I’m allergic to walnuts.\nVee: Noted!', 0.6, ['u1', 'a1']),
        memory('f1', 'fact', "You're allergic to walnuts.", 0.5, ['u1']),
        memory('e2', 'episode', 'Visitor: I love rye.\nVee: Me too!', 0.45, ['u2', 'a2']),
        memory('f2', 'fact', 'You have a dog.', 0.1, ['u3']),
      ],
      visitorSpoke: false,
      avatarName: 'Vee',
    });
    expect(context.knowledge.map((k) => k.id)).toEqual(['k1']);
    expect(context.memories.map((m) => m.text)).toEqual([
      "They're allergic to walnuts.",
      'Earlier they said: "I love rye."',
    ]);
    expect(context.guidance).toBe('');
  });

  it('answers a question about the visitor from their newest facts, whatever the message says', () => {
    const context = compactContext({
      intent: 'about-me',
      knowledge: [],
      wholeKnowledge: true,
      memories: [],
      aboutVisitor: [memory('f1', 'fact', 'Your name is Priya.', 0), memory('f2', 'fact', 'You have a dog.', 0)],
      visitorSpoke: false,
      avatarName: 'Vee',
    });
    expect(context.memories.map((m) => m.text)).toEqual(['Their name is Priya.', 'They have a dog.']);
    expect(context.guidance).toMatch(/answer from what they told you/);
  });

  it('gives a visitor asking about themselves their own words too, where a fact holds only part of them', () => {
    const context = compactContext({
      intent: 'about-me',
      knowledge: [],
      wholeKnowledge: true,
      memories: [
        memory('e1', 'episode', 'Visitor: Hi, I’m Emma. I’m quite anxious about dentists.\nNora: Welcome!', 0.55, [
          'u1',
          'a1',
        ]),
        memory('e2', 'episode', 'Visitor: How much is a check-up?\nNora: $90.', 0.2, ['u2', 'a2']),
      ],
      aboutVisitor: [memory('f1', 'fact', 'Your name is Emma.', 0, ['u1'])],
      visitorSpoke: false,
      avatarName: 'Nora',
    });
    expect(context.memories.map((m) => m.text)).toEqual([
      'Their name is Emma.',
      'Earlier they said: "Hi, I’m Emma. I’m quite anxious about dentists."',
    ]);
  });

  it('offers the site’s contact details when no fact answers a question', () => {
    const context = compactContext({
      intent: 'question',
      knowledge: [memory('k2', 'fact', 'Wi-Fi is free.', 0.1)],
      wholeKnowledge: false,
      contact: memory('k9', 'fact', 'Phone (555) 010-2024.', 0),
      memories: [],
      visitorSpoke: false,
      avatarName: 'Vee',
    });
    expect(context.knowledge.map((k) => k.id)).toEqual(['k9']);
    expect(context.guidance).toMatch(/not sure/);
  });
});

describe('a speaker label at the start of a reply', () => {
  it('is dropped, however the chunks fall', () => {
    const run = (chunks: string[]) => {
      const filter = new LeadingLabelFilter(['Vee']);
      return chunks.map((chunk) => filter.push(chunk)).join('') + filter.flush();
    };
    expect(run(['Vee: Hello!'])).toBe('Hello!');
    expect(run(['V', 'ee', ':', ' Hel', 'lo'])).toBe('Hello');
    expect(run(['Assistant:', ' ', 'Hi'])).toBe('Hi');
    expect(run(['AI avatars are fun'])).toBe('AI avatars are fun');
    expect(run(['Hello there'])).toBe('Hello there');
    expect(run(['Ve'])).toBe('Ve');
  });
});
