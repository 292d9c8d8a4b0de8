/**
 * The visitor's family, partner, friends and pets ("my daughter Mia", "I have two kids, Leo and
 * Ada", "I'm married", "our puppy Max"), and what happens to them ("my sister is getting married
 * in June", "my grandmother passed away").
 */
import { cap, fact, whose, type Pattern, type Speaker, type StatedFact } from './heuristic-fact.js';
import {
  article,
  capitalize,
  CLOSE,
  COUNT,
  isNameWord,
  KIN,
  numberOf,
  PARTNER,
  PEOPLE,
  PETS,
  phrase,
  SUBJECT,
  topicKey,
} from './heuristic-words.js';
import { byThen, FUTURE_TIME, PAST_TIME, resolveFutureTime, resolvePastTime } from './relative-dates.js';

const WORD = String.raw`[\p{L}][\p{L}'-]*`;
const MODIFIERS = String.raw`(?:(?:little|big|older|younger|baby|eldest|oldest|youngest|middle|twin|new|late|lovely|beautiful|step|two|three)\s+)*`;
/** Words that describe a relation without being part of what it is called. */
const PLAIN = /\b(?:little|big|older|younger|eldest|oldest|youngest|middle|new|late|lovely|beautiful)\s+/gi;
/** One or more names after a relation: "Mia", "Oscar and Finn". */
const NAMES = String.raw`(${WORD})(?:\s+and\s+(${WORD}))?`;

const ELDERS =
  /^(?:mum|mom|mother|dad|father|parents|stepmum|stepmom|stepdad|grandma|grandmother|grandpa|grandfather|grandparents|granny|nan|nana|in-laws|mother-in-law|father-in-law)$/;
const isPet = (word: string) =>
  PETS.includes(word.toLowerCase().replace(/s$/, '')) || PETS.includes(word.toLowerCase());
const singular = (word: string) =>
  word
    .replace(/children$/i, 'child')
    .replace(/ies$/i, 'y')
    .replace(/(?<=[^s])s$/i, '');

/** The names given, each a name word (capitalised unless the message has no capitals). */
function namesOf(words: Array<string | undefined>, s: Speaker): string[] {
  return words
    .filter((w): w is string => Boolean(w))
    .map((w) => w.replace(/'s$/i, ''))
    .filter((w) => isNameWord(w, { capitalised: !s.caseless }))
    .map(capitalize);
}

/** "my daughter Mia", "my wife", "our puppy Max", "my twin boys, Oscar and Finn". */
function relationFact(s: Speaker, described: string, relation: string, names: string[]): StatedFact {
  const kind = isPet(relation) ? 'pet' : 'family';
  const plural = names.length > 1;
  const called = names.length === 0 ? '' : ` called ${names.join(' and ')}`;
  const value = described.replace(PLAIN, '').toLowerCase();
  const lower = relation.toLowerCase();
  const slot =
    kind === 'family' && PARTNER.test(lower)
      ? 'partner'
      : `${kind}:${lower}${names.length === 1 ? `:${names[0]!.toLowerCase()}` : ''}`;
  const have = (subject: string, verb: string) =>
    `${subject} ${verb} ${plural || /s$/.test(described) ? '' : `${article(described)} `}${described}${called}.`;
  // Everyone has parents: "You mentioned your mum", not "You have a mum".
  const mentioned = names.length === 0 && ELDERS.test(lower);
  return fact({
    slot,
    kind,
    category: 'relationship',
    you: mentioned
      ? `You mentioned your ${described}.`
      : names.length === 1 && !plural
        ? `Your ${described} is called ${names[0]}.`
        : have('You', 'have'),
    they: mentioned
      ? `${cap(s)} mentioned their ${described}.`
      : names.length === 1 && !plural
        ? `${whose(s)} ${described} is called ${names[0]}.`
        : have(cap(s), 'has'),
    value: names.length === 1 ? `${value} ${names[0]}` : value,
    ...(plural ? { values: names.map((name) => `${singular(value.split(' ').at(-1)!)} ${name}`) } : {}),
    reason: `mentioned their ${lower}`,
  });
}

function statusFact(s: Speaker, status: string, to?: string): StatedFact {
  const who = to ? ` to ${to}` : '';
  return fact({
    slot: 'partner',
    kind: 'family',
    category: 'relationship',
    you: `You're ${status}${who}.`,
    they: `${cap(s)} is ${status}${who}.`,
    value: status,
    reason: 'said whether they have a partner',
  });
}

function countFact(s: Speaker, count: string, described: string): StatedFact {
  const n = numberOf(count);
  const said = Number.isNaN(n) || n === 1 ? `${article(described)} ${described}` : `${count} ${described}`;
  const noun = singular(described.split(' ').at(-1)!.toLowerCase());
  const kind = isPet(noun) ? 'pet' : 'family';
  return fact({
    slot: `${kind}:${noun}${n > 1 ? `:${n}` : ''}`,
    kind,
    category: 'relationship',
    you: `You have ${said}.`,
    they: `${cap(s)} has ${said}.`,
    value: said.replace(/^an?\s+/, ''),
    reason: `mentioned their ${noun}`,
  });
}

const named: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\b(?:my|our)\s+(${MODIFIERS}(${KIN}))(?:'s\s+name\s+is|\s+is\s+called|\s+is\s+named|'s\s+called|\s+are\s+called|,?\s+(?:called|named))\s+${NAMES}`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const names = namesOf([m[3], m[4]], { ...s, caseless: true });
      return names.length > 0 ? [relationFact(s, m[1]!.toLowerCase(), m[2]!, names)] : [];
    },
  },
  {
    // "I have two kids, Leo and Ada", "We've got two cats", "I have a dog named Biscuit".
    pattern: new RegExp(
      String.raw`\b${SUBJECT}(?:\s+have|'ve\s+got|\s+have\s+got|\s+got|'ve)\s+(${COUNT})\s+((?:[\p{L}-]+\s+)?)(${KIN}(?:s|ren)?)\b(?!\s+(?:allergy|allergies|food|hair|person|lover|video|friendly|treats|walker|sitter|bed|toy))(?:,?\s+(?:called|named)\s+${NAMES}|,\s+${NAMES}(?=\s*(?:[.,!;]|$|and\b|who\b|aged?\b)))?`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const [count, adjective, noun] = [m[1]!, m[2]!.toLowerCase(), m[3]!.toLowerCase()];
      if (
        /^(?:friend|friends|pet|pets|colleague|colleagues|boss)$/.test(noun) ||
        /^(?:lot|bit|couple|few|question|problem|feeling|hot)\b/.test(adjective)
      ) {
        return [];
      }
      const names = namesOf([m[4] ?? m[6], m[5] ?? m[7]], s);
      if (names.length === 0) return [countFact(s, count, `${adjective}${noun}`)];
      const described = `${numberOf(count) > 1 ? `${count.toLowerCase()} ` : ''}${adjective}${noun}`;
      return [relationFact(s, described, noun, names)];
    },
  },
  {
    // "I'm the proud owner of a parrot called Kiwi".
    pattern: new RegExp(
      String.raw`\bowner\s+of\s+an?\s+((?:[\p{L}-]+\s+)?)(${PETS.join('|')})(?:,?\s+(?:called|named)\s+(${WORD}))?`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const names = namesOf([m[3]], { ...s, caseless: true });
      return [relationFact(s, `${m[1]!.toLowerCase()}${m[2]!.toLowerCase()}`, m[2]!, names)];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:just\s+|recently\s+|finally\s+)?(?:adopted|rescued|got|bought)\s+(?:an?|our|my)\s+((?:new\s+|rescue\s+|little\s+)?(${PETS.join('|')}))\b`,
      'giu',
    ),
    build: (m, _rest, s, sentence) => {
      const pet = m[1]!.toLowerCase().replace(/^(?:new|little)\s+/, '');
      const facts = [relationFact(s, pet, m[2]!, [])];
      const when = PAST_TIME.exec(sentence);
      if (when) {
        const time = resolvePastTime(when[0], s.at);
        const what = `adopted ${article(pet)} ${pet}`;
        facts.push(
          fact({
            slot: `event:${topicKey(what)}`,
            kind: 'event',
            category: 'event',
            you: `${time.words}, you ${what}.`,
            they: `${time.canonical}, ${s.subject} ${what}.`,
            value: what,
            date: time.date,
            reason: 'shared something that happened',
          }),
        );
      }
      return facts;
    },
  },
];

const status: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\bi(?:'m| am)\s+(?:now\s+|happily\s+|recently\s+)?(married|engaged|single|divorced|widowed|separated)\b(?:\s+to\s+(${WORD}))?(?:\s+with\s+(${COUNT})\s+((?:[\p{L}-]+\s+)?(?:kids|children|boys|girls|sons|daughters|grandchildren)))?|^(?:i'm\s+)?not\s+(married)\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      if (m[5]) return [statusFact(s, 'not married')];
      const to = m[2] && isNameWord(m[2], { capitalised: !s.caseless }) ? capitalize(m[2]) : undefined;
      const facts = [statusFact(s, m[1]!.toLowerCase(), to)];
      if (m[3] && m[4]) facts.push(countFact(s, m[3], m[4].toLowerCase()));
      return facts;
    },
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:just\s+|recently\s+|finally\s+)?got\s+(married|engaged|divorced)\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const what = `got ${m[1]!.toLowerCase()}`;
      const by = byThen(s.at);
      // The partner slot: it replaces "single" or "engaged".
      return [
        fact({
          slot: 'partner',
          kind: 'event',
          category: 'relationship',
          you: `You ${what} (${by.words}).`,
          they: `${cap(s)} ${what} (${by.canonical}).`,
          value: what,
          reason: what,
        }),
      ];
    },
  },
  {
    // "As a mum of three", "I'm a dad of two".
    pattern: new RegExp(
      String.raw`(?:\b(?:i(?:'m| am)|as)\s+an?\s+|^)(?:proud\s+|busy\s+|(single)\s+|working\s+|tired\s+)?(mum|mom|mother|dad|father|parent|grandma|granny|grandmother|grandad|grandpa|grandfather|grandparent)\s+(?:of|to)\s+(${COUNT})\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const kids = countFact(s, m[3]!.toLowerCase(), /^grand/i.test(m[2]!) ? 'grandchildren' : 'kids');
      return m[1] ? [statusFact(s, 'single'), kids] : [kids];
    },
  },
  {
    // "We're a family of four, two adults and two kids".
    pattern: new RegExp(
      String.raw`\b(?:we're|we are)\s+a\s+family\s+of\s+${COUNT}\b[^.;!?]*?\b(${COUNT})\s+(kids|children|teenagers|boys|girls)\b`,
      'giu',
    ),
    build: (m, _rest, s) => [countFact(s, m[1]!.toLowerCase(), m[2]!.toLowerCase())],
  },
];

// ---------------------------------------------------------------------------------------------
// What happens to them.

const happenings: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\bmy\s+(${MODIFIERS}(${PEOPLE.join('|')}))(?:\s+(${WORD}))?\s+(?:just\s+|recently\s+|sadly\s+)?(passed away|died|was born|got married|got engaged|had (?:a|her|his|their) baby|graduated|retired)\b`,
      'giu',
    ),
    build: (m, rest, s) => {
      const described = m[1]!.toLowerCase();
      const name = namesOf([m[3]], s)[0];
      const who = `${described}${name ? ` ${name}` : ''}`;
      const when = PAST_TIME.exec(rest);
      const time = when ? resolvePastTime(when[0], s.at) : undefined;
      const by = byThen(s.at);
      const what = m[4]!.toLowerCase();
      return [
        relationFact(s, described, m[2]!, name ? [name] : []),
        fact({
          slot: `event:${topicKey(`${who} ${what}`)}`,
          kind: 'event',
          category: 'event',
          you: time ? `${time.words}, your ${who} ${what}.` : `Your ${who} ${what} (${by.words}).`,
          they: time
            ? `${time.canonical}, ${whose(s)} ${who} ${what}.`
            : `${whose(s)} ${who} ${what} (${by.canonical}).`,
          value: `${who} ${what}`,
          date: time?.date,
          reason: 'shared something that happened',
        }),
      ];
    },
  },
  {
    // "My sister is getting married in June", "my daughter Mia turns six on Saturday".
    pattern: new RegExp(
      String.raw`(?<!\b(?:me|and)\s+)\bmy\s+(${MODIFIERS}(${PEOPLE.join('|')}))(?:\s+(${WORD}))?(?:'s|\s+is|\s+are|\s+will\s+be)?\s+(?=(?:getting|coming|visiting|moving|starting|graduating|turning|turns|having|flying|going|arriving|retiring|will turn)\b[^,.!?;]*?${FUTURE_TIME.source})`,
      'giu',
    ),
    build: (m, rest, s) => {
      const described = m[1]!.toLowerCase();
      const name = namesOf([m[3]], s)[0];
      const when = FUTURE_TIME.exec(rest)!;
      const clause = phrase(`${rest.slice(0, when.index)}`.trim(), { maxWords: 8 });
      if (!clause) return [];
      const time = resolveFutureTime(when[0], s.at);
      const who = `${described}${name ? ` ${name}` : ''}`;
      const verb =
        /^(?:getting|coming|visiting|moving|starting|graduating|turning|having|flying|going|arriving|retiring)\b/i.test(
          clause,
        )
          ? `is ${clause}`
          : clause.replace(/^will turn\b/i, 'turns');
      return [
        relationFact(s, described, m[2]!, name ? [name] : []),
        fact({
          slot: `plan:${topicKey(`${who} ${clause}`)}`,
          kind: 'plan',
          category: 'plan',
          you: `Your ${who} ${verb.replace(/^is /, m[0].includes(' are ') ? 'are ' : 'is ')} ${time.words}.`,
          they: `${whose(s)} ${who} ${verb} ${time.canonical}.`,
          value: `${who} ${clause.replace(/^will turn\b/i, 'turns')}`,
          date: time.date,
          reason: 'shared a plan',
        }),
      ];
    },
  },
];

// ---------------------------------------------------------------------------------------------
// A relation mentioned in passing: "I'll have to ask my wife", "can I bring my dog?".

const mentions: Pattern[] = [
  {
    pattern: new RegExp(String.raw`\b(?:my|our)\s+(${MODIFIERS}(${KIN}))(?:'s)?\b(?:(?:\s*,\s*|\s+)${NAMES})?`, 'giu'),
    anywhere: true,
    build: (m, rest, s) => {
      const relation = m[2]!.toLowerCase();
      const names = mentionedNames(m, rest, s);
      // "my friend", "my boss": only with a name; family and pets as they are.
      if (!CLOSE.has(relation) && !isPet(relation) && names.length === 0) return [];
      return [relationFact(s, m[1]!.toLowerCase().trim(), m[2]!, names)];
    },
  },
];

/**
 * The names right after a mentioned relation: "my husband Dev", "my cat, Luna, keeps…". In a
 * message without capitals, a word is a name only where a name can end ("my husband dave are").
 */
function mentionedNames(m: RegExpExecArray, rest: string, s: Speaker): string[] {
  const relation = m[2]!.toLowerCase();
  const tail = m[0].slice(m[0].toLowerCase().lastIndexOf(relation) + relation.length);
  if (/^\s*,/.test(tail) && !/^\s*(?:,|and\b|$)/i.test(rest)) return [];
  const names = namesOf([m[3], s.caseless ? undefined : m[4]], s);
  if (s.caseless && !/^\s*(?:[,.!?;]|$|and\b|are\b|is\b|has\b|have\b|who\b|says?\b|said\b)/i.test(rest)) return [];
  return names;
}

export const RELATION_PATTERNS: Pattern[] = [...named, ...status, ...happenings, ...mentions];
