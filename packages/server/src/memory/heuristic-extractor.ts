import {
  DEFAULT_IMPORTANCE,
  normalizeMemoryText,
  type ExistingMemory,
  type ExtractionTurn,
  type MemoryDecision,
  type MemoryExtractor,
} from './extraction-types.js';
import {
  DIET,
  JOB,
  MENTIONS,
  PARTNER,
  PATTERNS,
  stem,
  topicKey,
  type Speaker,
  type StatedFact,
} from './heuristic-patterns.js';

export { topicKey, type FactKind, type StatedFact } from './heuristic-patterns.js';
export { resolveFuture, resolvePast } from './relative-dates.js';

/** Slots that hold one value at a time: a new statement replaces the remembered one. */
const SINGLE_VALUED = new Set(['name', 'age', 'birthday', 'location', 'origin', 'job', 'study', 'partner', 'diet']);

/**
 * The offline extractor: first-person statements in English, found by patterns, each given a
 * slot so that it can replace, remove or repeat what is remembered. Conservative by design:
 * questions, hypotheticals and what other people said are never facts. Facts are worded to the
 * visitor ("You're allergic to walnuts."), as the memory panel and the prompt show them, and
 * searched by a wording of the visitor ("Priya is allergic to walnuts.").
 */
export class HeuristicMemoryExtractor implements MemoryExtractor {
  readonly name = 'heuristic';

  async extract(
    turn: ExtractionTurn,
    similar: (texts: string[]) => Promise<ExistingMemory[]>,
    signal?: AbortSignal,
  ): Promise<MemoryDecision[]> {
    const facts = findStatedFacts(turn.userMessage.content, {
      at: turn.userMessage.createdAt,
      ...(turn.visitorName ? { visitorName: turn.visitorName } : {}),
    });
    const decisions: MemoryDecision[] = [];
    const touched = new Set<string>();
    for (const fact of facts) {
      signal?.throwIfAborted();
      const queries = [
        fact.canonical,
        ...[fact.mode === 'remove' ? fact.topic : undefined, fact.replaces].filter(isText),
      ];
      const found = (await similar(queries)).filter((m) => !touched.has(m.id));
      for (const decision of decide(fact, found, [turn.userMessage.id])) {
        if (decision.event !== 'add') touched.add(decision.id);
        decisions.push(decision);
      }
    }
    return decisions;
  }
}

/** Weighs one fact against the visitor's most similar memories. */
function decide(fact: StatedFact, found: readonly ExistingMemory[], source: string[]): MemoryDecision[] {
  const importance = DEFAULT_IMPORTANCE[fact.category];
  const { text, category, reason } = fact;
  const searchText = fact.canonical;
  const add: MemoryDecision[] = [
    { event: 'add', text, searchText, category, importance, sourceMessageIds: source, reason },
  ];
  const update = (memory: ExistingMemory, why: string): MemoryDecision[] => [
    {
      event: 'update',
      id: memory.id,
      text,
      searchText,
      category,
      importance: Math.max(importance, memory.importance),
      sourceMessageIds: source,
      reason: `${reason}; ${why}`,
    },
  ];
  if (fact.mode === 'remove') {
    const liked = found.filter((m) => polarity(m.text) === 1 && mentions(m.text, fact.value));
    if (liked.length === 0) return add;
    return liked.map((m) => ({ event: 'delete', id: m.id, sourceMessageIds: source, reason }));
  }
  const same = new Set([normalizeMemoryText(text), normalizeMemoryText(fact.canonical)]);
  if (found.some((m) => same.has(normalizeMemoryText(m.text)))) return [];
  // One value at a time: "34 years old" and "33 years old" read alike but differ.
  if (SINGLE_VALUED.has(fact.slot)) {
    const held = found.find((m) => sameSlot(fact, m));
    if (!held) return add;
    return mentions(held.text, fact.value) ? [] : update(held, `replaces the remembered ${fact.slot}`);
  }
  if (found.some((m) => m.score >= 0.92 && sameSlot(fact, m))) return [];
  const taste = fact.slot.startsWith('like:') ? 1 : fact.slot.startsWith('dislike:') ? -1 : 0;
  if (taste === 0) return add;
  const opposite = found.find((m) => polarity(m.text) === -taste && mentions(m.text, fact.value));
  if (opposite) return update(opposite, 'the opposite was remembered');
  if (fact.mode !== 'switch') return add;
  const replaced = fact.replaces
    ? found.find((m) => polarity(m.text) === taste && mentions(m.text, topicKey(fact.replaces!)))
    : found.find(
        (m) =>
          m.category === 'preference' && m.score >= 0.5 && polarity(m.text) === taste && !mentions(m.text, fact.value),
      );
  return replaced ? update(replaced, 'replaces an earlier preference') : add;
}

/** Whether a remembered text holds the fact's slot, recognised by its wording. */
function sameSlot(fact: StatedFact, memory: ExistingMemory): boolean {
  const text = memory.text;
  const own = !RELATION_WORD.test(text);
  switch (fact.slot) {
    case 'name':
      return own && /\b(?:name is|goes by|called)\b/i.test(text);
    case 'birthday':
      return own && /\bbirthday\b/i.test(text);
    case 'age':
      return own && /\b\d{1,3}\s*(?:years?\s*old|yo)\b|\baged?\b/i.test(text);
    case 'location':
      return own && /\b(?:lives?|living|moved|based|resides?)\b/i.test(text);
    case 'origin':
      return own && /\b(?:(?:is|are|'re) from|comes? from|grew up|originally from|born in)\b/i.test(text);
    case 'job':
      return own && (/\b(?:works?|working|job|employed|profession|retired)\b/i.test(text) || JOB.test(text));
    case 'study':
      return own && /\b(?:stud(?:y|ies|ying)|student)\b/i.test(text);
    case 'partner':
      return PARTNER.test(text) || /\b(?:married|engaged|single|divorced|widowed)\b/i.test(text);
    case 'diet':
      return DIET.test(text) || /\bdiet\b/i.test(text);
    default:
      if (fact.slot.startsWith('like:') || fact.slot.startsWith('dislike:')) {
        return polarity(text) === (fact.slot.startsWith('like:') ? 1 : -1) && mentions(text, fact.value);
      }
      return memory.category === fact.category && mentions(text, fact.value);
  }
}

const NEGATIVE =
  /\b(?:dislikes?|hates?|detests?|loathes?|can't stand|cannot stand|can't bear|(?:doesn't|don't) (?:really )?(?:like|enjoy|love)|(?:does|do) not (?:like|enjoy)|no longer (?:likes?|loves?|enjoys?)|not (?:a (?:big |huge )?fan of|keen on|big on)|(?:is|are|'re) not into|(?:is|are|'re) (?:\w+ )?(?:afraid|scared|terrified|frightened|petrified|anxious|nervous|phobic|wary) (?:of|about|around))\b/i;
const POSITIVE =
  /\b(?:likes?|loves?|enjoys?|prefers?|adores?|(?:is|are|'re) into|fan of|favou?rite|passionate about|keen on|obsessed with)\b/i;

/** 1 when a remembered text says the visitor likes something, -1 dislikes, 0 neither. */
function polarity(text: string): -1 | 0 | 1 {
  if (NEGATIVE.test(text)) return -1;
  return POSITIVE.test(text) ? 1 : 0;
}

/** Whether every content word of `key` (plural or not) appears in `text`. */
function mentions(text: string, key: string): boolean {
  const words = new Set(normalizeMemoryText(text).split(' ').map(stem));
  const wanted = normalizeMemoryText(key)
    .split(' ')
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w))
    .map(stem);
  return wanted.length > 0 && wanted.every((w) => words.has(w));
}

// ---------------------------------------------------------------------------------------------
// Finding facts in a message.

export interface StatementContext {
  /** When the message was written (ISO 8601): relative dates are resolved against it. */
  at: string;
  visitorName?: string;
}

/**
 * Every fact the visitor states about themselves in `text`, in the order said. A span of a
 * sentence feeds one pattern only ("I don't like coffee anymore" is a removal, not also a
 * dislike); relations mentioned in passing ("ask my wife") are read last, questions included.
 */
export function findStatedFacts(text: string, context: StatementContext): StatedFact[] {
  const date = new Date(context.at);
  const at = Number.isNaN(date.getTime()) ? new Date() : date;
  const letters = text.replace(/[^\p{L}]/gu, '');
  // Shouted messages are read in lower case; in either, capitals say nothing about names.
  const shouted = letters.length > 3 && letters === letters.toUpperCase();
  const caseless = shouted || letters === letters.toLowerCase();
  const facts: StatedFact[] = [];
  const mentioned: StatedFact[] = [];
  for (const { sentence, question } of statements(shouted ? text.toLowerCase() : text)) {
    // A name given earlier in this very message names the visitor in the facts after it.
    const speaker = (sofar: readonly StatedFact[]) => {
      const named = context.visitorName?.trim() || [...facts, ...sofar].find((f) => f.slot === 'name')?.topic;
      return { subject: named || 'the visitor', at, caseless };
    };
    if (!question) facts.push(...statedIn(sentence, speaker));
    for (const { pattern, build } of MENTIONS) {
      for (const match of sentence.matchAll(pattern)) {
        mentioned.push(...build(match, sentence.slice(match.index + match[0].length), speaker([]), sentence));
      }
    }
  }
  return distinctFacts(facts, mentioned);
}

/** The statements of one sentence, each span claimed by the first pattern that makes facts of it. */
function statedIn(sentence: string, speaker: (sofar: readonly StatedFact[]) => Speaker): StatedFact[] {
  const found: Array<[number, StatedFact[]]> = [];
  const claimed: Array<[number, number]> = [];
  for (const { pattern, build } of PATTERNS) {
    for (const match of sentence.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (claimed.some(([a, b]) => start < b && end > a) || !isAssertion(sentence, match)) continue;
      const built = build(match, sentence.slice(end), speaker(found.flatMap(([, f]) => f)), sentence);
      if (built.length === 0) continue;
      claimed.push([start, end]);
      found.push([start, built]);
    }
  }
  // In the order they were said.
  return found.sort((a, b) => a[0] - b[0]).flatMap(([, built]) => built);
}

/**
 * Statements, then the mentions no statement holds the slot of ("my wife Anna… ask my wife"),
 * one name per message (the last: "people call me Jojo but my real name is Josephine"), no
 * fact twice.
 */
function distinctFacts(facts: StatedFact[], mentioned: StatedFact[]): StatedFact[] {
  const covered = (f: StatedFact) =>
    facts.some((o) => o.slot === f.slot && o.kind === f.kind) ||
    [...facts, ...mentioned].some((o) => o !== f && o.slot.startsWith(`${f.slot}:`));
  const all = [...facts, ...mentioned.filter((f) => !covered(f))];
  const lastName = all.filter((f) => f.slot === 'name').at(-1);
  const seen = new Set<string>();
  return all.filter((f) => {
    const key = `${f.slot}|${normalizeMemoryText(f.text)}`;
    if (f.slot === 'name' && f !== lastName) return false;
    return !seen.has(key) && seen.add(key);
  });
}

/** Sentences of the message, quotes removed, chat spellings mended, and whether each is a question. */
function statements(text: string): Array<{ sentence: string; question: boolean }> {
  const plain = mendSpelling(text.replace(/[’‘]/g, "'").replace(/"[^"]*"|“[^”]*”|«[^»]*»/g, ' '));
  return plain
    .split(/(?<!\b(?:[Mm]rs?|[Mm]s|[Dd]r|[Pp]rof|[Ss]t|[Mm]x)\.)(?<=[.!?…])\s+|[\n;]+/)
    .map((sentence) => {
      let s = sentence.trim();
      let question = QUESTION_START.test(s);
      // "I love tea, do you?", "I work nights as a paramedic so is the gym open 24h?": the
      // statement before the question still counts.
      if (/\?[!?.\s]*$/.test(s)) {
        const cut = question ? -1 : (questionClause(s) ?? s.lastIndexOf(','));
        if (cut === -1 || question) return { sentence: s, question: true };
        s = s.slice(0, cut);
        question = QUESTION_START.test(s);
      }
      return { sentence: s, question };
    })
    .filter(({ sentence }) => sentence.length > 0);
}

/** Questions people start without a question word: "any long stays in Portugal?", "is there…". */
const QUESTION_OPENER =
  /^(?:any|anything|anyone|anywhere|got|please|pls|recommendations?|ideas?|suggestions?|tips?)\b/i;
const CLAUSE_BREAK = /\s*(?:[,:–—]|\s-\s|\p{Extended_Pictographic}+|\s(?:so|but|and|then)\s)\s*/gu;

/** Where the question of a sentence that opens with a statement begins ("…pregnant – are your classes ok?"). */
function questionClause(sentence: string): number | undefined {
  for (const m of sentence.matchAll(CLAUSE_BREAK)) {
    const rest = sentence.slice(m.index + m[0].length);
    if (m.index > 0 && (QUESTION_START.test(rest) || QUESTION_OPENER.test(rest))) return m.index;
  }
  return undefined;
}

/** "im" → "i'm", "dont" → "don't", "alergic" → "allergic": how people type in a chat box. */
function mendSpelling(text: string): string {
  return text
    .replace(/\b([Ii])m\b(?=\s+\S)/g, "$1'm")
    .replace(/\b([Ii])ve\b/g, "$1've")
    .replace(
      /\b([Ii])ll\b(?=\s+(?:be|have|need|pick|come|see|take|get|call|try|go|do|let|make|bring|ask|order)\b)/g,
      "$1'll",
    )
    .replace(/\b(don|doesn|can|isn|aren|won|didn|haven|wouldn)t\b/gi, "$1't")
    .replace(/\b(we|you|they)re\b(?=\s+\S)/gi, "$1're")
    .replace(/\balergic\b/gi, 'allergic');
}

/** Not reported from someone else, and not hypothetical within its clause. */
function isAssertion(sentence: string, match: RegExpExecArray): boolean {
  const before = sentence.slice(0, match.index);
  if (REPORTED.test(before) || (/^(?:i|we)\b/i.test(match[0]) && RELATIVE.test(before))) return false;
  const breaks = [...before.matchAll(/[,:]|\b(?:but|so|though|however)\b/gi)].map((m) => m.index + m[0].length);
  return !HYPOTHETICAL.test(before.slice(Math.max(0, ...breaks)));
}

/**
 * "the pic I got last week", "the things I love": "I" right after a plain word starts a relative
 * clause about something else, not a statement. A clause starts after punctuation, a linking or
 * time word, or a greeting.
 */
const RELATIVE =
  /(?<![\p{P}\d]\s*)\b(?!(?:and|but|so|then|because|cause|when|after|before|while|since|as|that|now|today|yesterday|tonight|tomorrow|recently|lately|also|actually|honestly|seriously|well|oh|yes|yeah|yep|no|nope|ok|okay|hi|hey|hello|hiya|btw|lol|haha|tbh|omg|plus|though|although|anyway|anyways|sorry|thanks|sure|still|just|finally|really|week|weekend|month|year|night|morning|afternoon|evening|ago|day|days|weeks|months|years|monday|tuesday|wednesday|thursday|friday|saturday|sunday|now|where|think|guess|know|mean|feel|hope|said|say|until|till|once|originally|also|too|here|there|p\.s|ps|ugh|urgh|argh|um+|uh+|er+m?|hmm+|ah+|oof|phew|wow|gosh|yikes|omg|aw+|meh|welp|right|hiya|heya|hallo|cheers)\b)[\p{Ll}][\p{L}'-]*\s+$/iu;

const QUESTION_START =
  /^\s*(?:do|does|did|are|is|was|were|can|could|would|will|should|shall|have|has|what|what's|why|how|when|where|who|whom|which|whose|may|am|isn't|aren't|don't|doesn't|won't|can't)\b/i;
const HYPOTHETICAL =
  /\b(?:if|unless|suppose|supposing|imagine|wish|would|could|might|maybe|perhaps|probably|hypothetically|pretend|not sure|don't know|wonder|whether)\b/i;
const REPORTED =
  /\b(?:he|she|they|someone|people|everyone|[Mm]y\s+[a-z]+|[A-Z][a-z]+)\s+(?:said|says|thinks|think|told me|tells me|claims|claim|believes|believe|reckons|asked)\b/;
const RELATION_WORD =
  /\b(?:wife|husband|partner|girlfriend|boyfriend|fianc[ée]e?|spouse|son|daughter|brother|sister|mom|mum|mother|dad|father|friend|colleague|boss|kid|child|children|cousin|dog|cat)\b/i;
const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'my',
  'their',
  'your',
  'our',
  'to',
  'of',
  'and',
  'some',
  'visitor',
  'in',
  'at',
]);

function isText(value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0;
}
