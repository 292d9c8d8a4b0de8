/**
 * Diet, allergies and intolerances, and health conditions worth knowing ("I'm vegan", "I'm
 * allergic to walnuts", "I have a sesame allergy", "dairy makes me sick", "I'm diabetic").
 */
import { cap, fact, type Pattern, type Speaker, type StatedFact } from './heuristic-fact.js';
import {
  article,
  CONDITIONS,
  DIETS,
  FOOD,
  ILLNESSES,
  isVague,
  phrase,
  secondPerson,
  splitList,
  SUBJECT,
  SUBJECT_BE,
  thirdPerson,
  topicKey,
} from './heuristic-words.js';

const DIET_LIST = DIETS.join('|');

function dietFact(s: Speaker, diet: string): StatedFact {
  const what = diet.toLowerCase().replace(/\s+/g, ' ');
  return fact({
    slot: 'diet',
    kind: 'diet',
    category: 'health',
    you: `You're ${what}.`,
    they: `${cap(s)} is ${what}.`,
    value: what,
    reason: 'said what they eat',
  });
}

/** "I don't eat pork", "I never drink alcohol", "I avoid refined sugar". */
function avoidsFact(s: Speaker, verb: 'eat' | 'drink' | 'avoid', what: string): StatedFact {
  const key = topicKey(what);
  const you = verb === 'avoid' ? `You avoid ${secondPerson(what)}.` : `You don't ${verb} ${secondPerson(what)}.`;
  const they = verb === 'avoid' ? `avoids ${thirdPerson(what)}.` : `doesn't ${verb} ${thirdPerson(what)}.`;
  return fact({
    slot: `food:${key}`,
    kind: 'diet',
    category: 'health',
    you,
    they: `${cap(s)} ${they}`,
    value: `no ${what}`,
    reason: 'said what they do not eat',
  });
}

/** Foods one is allergic to many of: "a nut allergy" → "allergic to nuts". */
const COUNTABLE =
  /^(?:(?:tree |pea|wal|hazel|brazil |pine )?nut|egg|almond|cashew|pecan|pistachio|prawn|mussel|peach|banana)$/i;

/**
 * Allergies and intolerances, one fact per item: "allergic to X" (`as: 'allergic'`), "X
 * intolerant" (`'intolerant'`), "an X intolerance" (`'intolerance'`).
 */
function allergyFacts(
  s: Speaker,
  what: string,
  as: 'allergic' | 'intolerant' | 'intolerance' = 'allergic',
): StatedFact[] {
  return splitList(what, true).map((said) => {
    const item = as === 'allergic' && COUNTABLE.test(said) ? `${said}s` : said;
    const key = topicKey(item);
    const wording = {
      allergic: [`You're allergic to ${secondPerson(item)}.`, `is allergic to ${thirdPerson(item)}.`],
      intolerant: [`You're ${item} intolerant.`, `is ${item} intolerant.`],
      intolerance: [`You have ${article(item)} ${item} intolerance.`, `has ${article(item)} ${item} intolerance.`],
    }[as];
    return fact({
      slot: `allergy:${key}`,
      kind: 'allergy',
      category: 'health',
      you: wording[0]!,
      they: `${cap(s)} ${wording[1]!}`,
      value: item,
      reason: as === 'allergic' ? 'has an allergy' : 'has an intolerance',
    });
  });
}

/** One or two words naming what an allergy is to: "sesame", "tree nut", not "bad" or "food". */
const ALLERGEN = String.raw`((?!(?:a|an|the|my|bad|food|severe|mild|serious|real|slight)\b)[\p{L}]+(?:\s+(?!allergy|allergies|intolerance)[\p{L}]+)?)`;
const SEVERITY = String.raw`(?:(?:very|severely|deathly|really|highly|mildly|slightly|quite|super|so|extremely|badly)\s+)?`;

const diets: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`(?:\b${SUBJECT_BE}|\b(?:i've|we've|i have|we have)\s+been|\bi\s+(?:became|went|turned)|^(?:went|became|turned|gone)|^as|\bas\s+an?|^being)\s+(?:(?:an?|now|strictly|mostly|fully|completely|mainly|both|all|a\s+strict)\s+)*(${DIET_LIST})\b(?!\s+(?:options?|food|menu|cake|version|recipes?|friendly))`,
      'giu',
    ),
    build: (m, _rest, s) => [dietFact(s, m[1]!)],
  },
  {
    pattern: new RegExp(String.raw`\b${SUBJECT_BE}\s+on\s+an?\s+((?:${DIET_LIST})|[\p{L}-]+)\s+diet\b`, 'giu'),
    build: (m, _rest, s) => (/^(?:strict|new|special|healthy|crash)$/i.test(m[1]!) ? [] : [dietFact(s, m[1]!)]),
  },
  {
    pattern: new RegExp(
      String.raw`(?:^|\b(?:i(?:'m| am)?|we(?:'re| are)?)\s+)(?:(?:trying|try|going|want|need)\s+to\s+)?(?:go|stick\s+to|stay|keep|eat|only\s+eat)\s+(?:only\s+)?(${DIET_LIST})\b`,
      'giu',
    ),
    build: (m, _rest, s) => [dietFact(s, m[1]!)],
  },
  {
    pattern: new RegExp(String.raw`(?:^|[+&]\s*|\band\s+)(${DIET_LIST})\s+here\b`, 'giu'),
    build: (m, _rest, s) => [dietFact(s, m[1]!)],
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:don't|do not|never|no longer|can't|cannot)\s+(eat|drink)\s+|\b${SUBJECT}\s+(?:try\s+to\s+)?(avoid|cut\s+out|gave\s+up)\s+(?=${FOOD}\b)`,
      'giu',
    ),
    build: (m, rest, s) => {
      const what = phrase(rest);
      const verb = m[1] ? (m[1].toLowerCase() as 'eat' | 'drink') : 'avoid';
      if (
        !what ||
        isVague(what) ||
        /^(?:right|much|anything|before|after|today|now|late|here|there|out|in|at|until|till|during|while|on|much|a lot|enough|breakfast|lunch|dinner)\b/i.test(
          what,
        )
      ) {
        return [];
      }
      // "I can't eat gluten": an intolerance (below), not a choice.
      if (/\b(?:can't|cannot)\s+eat\b/i.test(m[0]) && new RegExp(`^${FOOD}$`, 'i').test(what))
        return allergyFacts(s, what);
      if (
        verb === 'drink' &&
        !new RegExp(`^(?:${FOOD}|booze|spirits|wine|beer|fizzy drinks|soft drinks|milk)$`, 'i').test(what)
      )
        return [];
      return [avoidsFact(s, verb, what)];
    },
  },
];

const allergies: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`(?:\b(?:${SUBJECT_BE}|i've\s+been|i\s+have\s+been|being|i\s+get)|^(?:(?:also|and|oh|fyi|btw|just so you know)[,\s]+)?)\s*${SEVERITY}(?:allergic|alergic|allergick|alergick)\s+to\s+|\bi(?:\s+have|'ve\s+got|\s+have\s+got|'ve)\s+an?\s+${SEVERITY}(?:allergy|intolerance|sensitivity)\s+to\s+`,
      'giu',
    ),
    build: (m, rest, s) => {
      const what = phrase(rest.replace(/^(?:anything with|any|all)\s+/i, ''), { list: true });
      if (!what || isVague(what) || /^(?:anything|nothing|something|everything|stuff|things)\b/i.test(what)) return [];
      return allergyFacts(s, what);
    },
  },
  {
    pattern: new RegExp(
      String.raw`\bi(?:\s+have|'ve\s+got|\s+have\s+got|\s+got|'ve|\s+suffer\s+from)\s+an?\s+(?:(?:severe|serious|mild|bad|slight|life[- ]threatening|deadly|real|nasty|proper|diagnosed)\s+)*${ALLERGEN}\s+(?:allergy|intolerance|sensitivity)\b|^${ALLERGEN}\s+(?:allergy|intolerance)\s+(?:here|sufferer|over here)\b|(?<=\bi\b[^.!?;]*?)\b(?:because of|due to|with|for|from)\s+(?:my|an?)\s+(?:severe\s+|serious\s+|bad\s+)?${ALLERGEN}\s+(?:allergy|intolerance)\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const what = (m[1] ?? m[2] ?? m[3])!.toLowerCase();
      if (/'s\b/.test(what) || /\b(?:son|daughter|kid|child|wife|husband|friend|mum|dad)\b/.test(what)) return [];
      return allergyFacts(s, what, /intolerance|sensitivity/i.test(m[0]) ? 'intolerance' : 'allergic');
    },
  },
  {
    // "I'm lactose intolerant", "Being gluten intolerant is hard".
    pattern: new RegExp(
      String.raw`(?:^|\b(?:${SUBJECT_BE}|being|i've\s+been|as\s+someone\s+who(?:'s|\s+is))\s+)${SEVERITY}([\p{L}]+)[- ]intolerant\b`,
      'giu',
    ),
    build: (m, _rest, s) => allergyFacts(s, m[1]!.toLowerCase(), 'intolerant'),
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:can't|cannot|can not)\s+(?:have|eat|tolerate|digest|do|handle)\s+(?:anything\s+with\s+|any\s+)?(${FOOD})\b`,
      'giu',
    ),
    build: (m, _rest, s) => allergyFacts(s, m[1]!.toLowerCase()),
  },
  {
    // "Dairy makes me sick", "Gluten doesn't agree with me", "Nuts are a no-go for me".
    pattern: new RegExp(
      String.raw`^(?:(?:and|also|oh)\s+)?(${FOOD})(?:\s+and\s+(${FOOD}))?\s+(?:makes?\s+me\s+(?:really\s+|so\s+|very\s+|quite\s+)?(?:sick|ill|unwell|bloated|poorly)|(?:doesn't|does\s+not|don't|do\s+not)\s+agree\s+with\s+me|(?:is|are)\s+(?:a\s+no-go|off\s+limits|poison)\s+(?:for|to)\s+me)`,
      'giu',
    ),
    build: (m, _rest, s) => allergyFacts(s, [m[1], m[2]].filter(Boolean).join(' and ').toLowerCase()),
  },
];

const conditions: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`(?:\b${SUBJECT_BE}|^as|\bas|\bbeing)\s+(?:a\s+|an\s+|also\s+|now\s+)?(\d+\s+(?:weeks?|months?)\s+)?(${CONDITIONS.join('|')})\b`,
      'giu',
    ),
    build: (m, rest, s) => {
      const what = m[2]!.toLowerCase().replace(/^an?\s+/, '');
      // "20 weeks pregnant", "deaf in one ear".
      const stage = m[1] ? m[1].trim().toLowerCase() : '';
      const detail = /^\s+(in one ear|in one eye|in my left ear|in my right ear)\b/i.exec(rest)?.[1] ?? '';
      const said = stage ? `${stage} ${what}` : detail ? `${what} ${secondPerson(detail)}` : what;
      return [
        fact({
          slot: `condition:${what}`,
          kind: 'health',
          category: 'health',
          you: `You're ${/user$/.test(what) ? 'a ' : ''}${said}.`,
          they: `${cap(s)} is ${/user$/.test(what) ? 'a ' : ''}${stage ? `${stage} ${what}` : detail ? `${what} ${thirdPerson(detail)}` : what}.`,
          value: what,
          reason: 'said something about their health',
        }),
      ];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\bi(?:\s+have|'ve\s+got|\s+have\s+got|'ve|\s+suffer\s+from|\s+was\s+diagnosed\s+with|\s+live\s+with|\s+struggle\s+with)\s+(${ILLNESSES.join('|')})\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const what = m[1]!
        .toLowerCase()
        .replace(/^adhd$/, 'ADHD')
        .replace(/^ibs$/, 'IBS');
      return [
        fact({
          slot: `condition:${what.toLowerCase()}`,
          kind: 'health',
          category: 'health',
          you: `You have ${what}.`,
          they: `${cap(s)} has ${what}.`,
          value: what,
          reason: 'mentioned a health condition',
        }),
      ];
    },
  },
];

export const HEALTH_PATTERNS: Pattern[] = [...allergies, ...diets, ...conditions];
