/**
 * Who the visitor says they are: their name ("I'm Priya", "call me P", "Priya here", "this is
 * Daniel from upstairs"), their age and their birthday.
 */
import { cap, fact, whose, type Pattern, type Speaker, type StatedFact } from './heuristic-fact.js';
import { jobFact, originFact } from './heuristic-identity.js';
import { capitalize, isCapitalized, isNameWord, JOBS } from './heuristic-words.js';
import { FUTURE_TIME, monthYear, resolveFutureTime } from './relative-dates.js';

const WORD = String.raw`[\p{L}][\p{L}'-]*`;
const TITLE = String.raw`(?:(mr|mrs|ms|miss|mx|dr|prof)\.?\s+)?`;
const GREETING = String.raw`^(?:(?:hi|hey|hello|hiya|heya|yo|morning|good (?:morning|afternoon|evening))(?:\s+there)?[,!.]*\s+)?`;
/** What may follow a name in "I'm Priya…": the end, punctuation, "and", "from", "here", "btw"… */
const AFTER_NAME =
  /^(?:\s*$|\s*[,.!;:)~\-–—]|\s*\p{Extended_Pictographic}|\s+(?:and|from|here|btw|by the way|again|speaking|nice|:\)|x+)\b)/iu;

/** A name from a match: one or two words, each a name word; undefined when it is not one. */
function nameOf(
  words: Array<string | undefined>,
  s: Speaker,
  options: { capitalised: boolean; title?: string | undefined },
): string | undefined {
  const [first, second] = words;
  if (!first || !isNameWord(first, { capitalised: options.capitalised && !s.caseless })) return undefined;
  const both = second && isNameWord(second, { capitalised: true }) && !s.caseless ? [first, second] : [first];
  const title = options.title ? `${capitalize(options.title.toLowerCase())} ` : '';
  return title + both.map(capitalize).join(' ');
}

function nameFact(name: string): StatedFact {
  return {
    ...fact({
      slot: 'name',
      kind: 'name',
      category: 'identity',
      you: `Your name is ${name}.`,
      they: `The visitor's name is ${name}.`,
      value: name,
      reason: 'stated their name',
    }),
    topic: name,
  };
}

/** "I'm Rohan, a chef from Goa": what comes after the name. */
function apposition(rest: string, s: Speaker): StatedFact[] {
  const m = new RegExp(
    String.raw`^\s*,\s*an?\s+((?:[\p{L}-]+\s+){0,2}?(?:${JOBS.join('|')}))\b(?:\s+from\s+(${WORD}(?:\s+${WORD})?))?`,
    'iu',
  ).exec(rest);
  if (!m) return [];
  const facts = [jobFact(s, m[1]!.toLowerCase())];
  const from = m[2] && isCapitalized(m[2]) ? m[2] : undefined;
  if (from) facts.push(originFact(s, from));
  return facts;
}

const names: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\b(?:my (?:first |real |full |actual )?name(?:'s| is)|(?:the )?name's|i am called|i'm called|(?:you can |please |just )?call me|(?:everyone|people|friends|my friends|most people|they|everybody) calls? me|i go by)\s+${TITLE}(${WORD})(?:\s+(${WORD}))?`,
      'giu',
    ),
    build: (m, rest, s, sentence) => {
      // "call me later", "don't call me Robert": only a name that is one, and not refused.
      if (/call/i.test(m[0]) && /\b(?:don't|do not|never)\s+$/i.test(sentence.slice(0, m.index))) return [];
      if (/call me/i.test(m[0]) && !isCapitalized(m[2]!) && !s.caseless && rest.trim().length > 1) return [];
      const name = nameOf([m[2], m[3]], s, { capitalised: false, title: m[1] });
      return name ? [nameFact(name)] : [];
    },
  },
  {
    // "Please don't call me Robert, I prefer Rob."
    pattern: new RegExp(
      String.raw`\b(?:don't|do not|never) call me\s+${WORD},?\s+(?:i(?:'d)? prefer|just|it's|call me)\s+(${WORD})`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const name = nameOf([m[1]], s, { capitalised: true });
      return name ? [nameFact(name)] : [];
    },
  },
  {
    pattern: new RegExp(String.raw`\bi(?:'m| am)\s+${TITLE}(${WORD})(?:\s+(${WORD}))?`, 'giu'),
    build: (m, rest, s) => {
      const second = m[3] && isCapitalized(m[3]) && !s.caseless ? m[3] : undefined;
      const after = second ? rest : (m[3] ? ` ${m[3]}` : '') + rest;
      if (!AFTER_NAME.test(after)) return [];
      const name = nameOf([m[2], second], s, { capitalised: true, title: m[1] });
      return name ? [nameFact(name), ...apposition(after, { ...s, subject: name })] : [];
    },
  },
  {
    // "Priya here", "This is Daniel from upstairs", "It's Hannah again", "Mark speaking".
    pattern: new RegExp(
      String.raw`${GREETING}(?:(?:this is|it'?s)\s+${TITLE}(${WORD})(?:\s+(${WORD}))?|${TITLE}(${WORD})\s+(?:here|speaking)\b)`,
      'giu',
    ),
    build: (m, rest, s) => {
      const introduced = m[2] !== undefined;
      const second = introduced && m[3] && isCapitalized(m[3]) && !s.caseless ? m[3] : undefined;
      const after = introduced && !second && m[3] ? ` ${m[3]}${rest}` : rest;
      if (introduced && !/^(?:\s+(?:from|here|again|speaking)\b|\s*,\s*\S)/i.test(after) && s.caseless) return [];
      if (introduced && !AFTER_NAME.test(after)) return [];
      const name = nameOf(introduced ? [m[2], second] : [m[5]], s, { capitalised: true, title: m[1] ?? m[4] });
      return name ? [nameFact(name)] : [];
    },
  },
  {
    // A signature: "- Fatima".
    pattern: new RegExp(String.raw`^[-–—~]\s*(${WORD})\s*$`, 'giu'),
    build: (m, _rest, s) => {
      const name = nameOf([m[1]], s, { capitalised: true });
      return name ? [nameFact(name)] : [];
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Age and birthday.

const TENS = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety'.split('|');
const TEENS = 'ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen'.split('|');
const UNITS = 'one|two|three|four|five|six|seven|eight|nine'.split('|');
const AGE = String.raw`(\d{1,3}|(?:${TENS.join('|')})(?:[- ](?:${UNITS.join('|')}))?|${TEENS.join('|')})`;

function ageNumber(word: string): number {
  if (/^\d+$/.test(word)) return Number(word);
  const [tens, unit] = word.toLowerCase().split(/[- ]/);
  const teen = TEENS.indexOf(tens!);
  if (teen >= 0) return 10 + teen;
  return (TENS.indexOf(tens!) + 2) * 10 + (unit ? UNITS.indexOf(unit) + 1 : 0);
}

function ageFact(s: Speaker, age: number): StatedFact[] {
  if (!(age >= 3 && age <= 119)) return [];
  return [
    fact({
      slot: 'age',
      kind: 'age',
      category: 'identity',
      you: `You're ${age} years old (as of ${monthYear(s.at)}).`,
      they: `${cap(s)} is ${age} years old (as of ${monthYear(s.at)}).`,
      value: String(age),
      reason: 'stated their age',
    }),
  ];
}

function birthdayFact(s: Speaker, date: Date, withDay: boolean): StatedFact {
  const month = monthYear(date).split(' ')[0]!;
  const day = withDay ? `${date.getUTCDate()} ${month}` : month;
  return fact({
    slot: 'birthday',
    kind: 'birthday',
    category: 'identity',
    you: `Your birthday is ${withDay ? 'on' : 'in'} ${day}.`,
    they: `${whose(s)} birthday is ${withDay ? 'on' : 'in'} ${day}.`,
    value: day,
    reason: 'said when their birthday is',
  });
}

const ages: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\bi(?:'m| am)\s+${AGE}(?:\s*(?:years?|yrs?)(?:\s+old)?|\s*y\/?o)?(?=\s*(?:$|[.,!;:)]|and\b|but\b|now\b|btw\b|\p{Extended_Pictographic}))|\bi\s+(?:just\s+)?turned\s+${AGE}\b|^at\s+(\d{2}),?\s+(?=i\b)`,
      'giu',
    ),
    build: (m, _rest, s) => ageFact(s, ageNumber((m[1] ?? m[2] ?? m[3])!)),
  },
  {
    pattern: new RegExp(
      String.raw`\bi(?:'ll| will)\s+be\s+${AGE}(?:\s+years\s+old)?\s+(?=${FUTURE_TIME.source})`,
      'giu',
    ),
    build: (m, rest, s) => {
      const when = FUTURE_TIME.exec(rest);
      const age = ageNumber(m[1]!);
      const time = when && resolveFutureTime(when[0], s.at);
      if (!time?.date || !(age >= 3 && age <= 119)) return [];
      const facts = [
        fact({
          slot: 'age',
          kind: 'age',
          category: 'identity',
          you: `You'll be ${age} ${time.words}.`,
          they: `${cap(s)} will be ${age} ${time.canonical}.`,
          value: String(age),
          reason: 'stated their age',
        }),
      ];
      const date = new Date(`${time.date.length === 7 ? `${time.date}-01` : time.date}T00:00:00Z`);
      if (time.date.length >= 7) facts.push(birthdayFact(s, date, time.date.length === 10));
      return facts;
    },
  },
  {
    pattern: /\bi\s+was\s+born\s+in\s+(\d{4})\b/giu,
    build: (m, _rest, s) => [
      fact({
        slot: 'age',
        kind: 'age',
        category: 'identity',
        you: `You were born in ${m[1]}.`,
        they: `${cap(s)} was born in ${m[1]}.`,
        value: `born in ${m[1]}`,
        reason: 'said when they were born',
      }),
    ],
  },
  {
    pattern:
      /\b(?:i\s+was\s+born\s+(?=on\b)|my\s+birthday(?:'s|\s+is)\s+(?:on\s+|in\s+)?|it's\s+my\s+birthday\s+(?=\S))/giu,
    build: (_m, rest, s) => {
      const when = FUTURE_TIME.exec(rest);
      if (!when || when.index > 8) return [];
      const time = resolveFutureTime(when[0], s.at);
      if (!time.date || time.date.length < 7) return [];
      return [
        birthdayFact(
          s,
          new Date(`${time.date.length === 7 ? `${time.date}-01` : time.date}T00:00:00Z`),
          time.date.length === 10,
        ),
      ];
    },
  },
];

export const NAME_PATTERNS: Pattern[] = [...names, ...ages];
