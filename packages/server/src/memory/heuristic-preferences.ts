/**
 * How the visitor has things ("I take oat milk in my coffee", "I like my steak medium rare", "I
 * usually order the large flat white", "please email me rather than calling"). Read before
 * likes, which would take "I like my steak medium rare" for a taste.
 */
import { cap, fact, type Pattern, type Speaker, type StatedFact } from './heuristic-fact.js';
import {
  bareTopic,
  conjugate,
  isVague,
  phrase,
  secondPerson,
  SUBJECT,
  thirdPerson,
  topicKey,
} from './heuristic-words.js';

const FOODSTUFF = String.raw`(?:coffee|tea|latte|cappuccino|flat white|americano|espresso|mocha|cortado|macchiato|hot chocolate|chai|porridge|oats|cereal|toast|sandwich(?:es)?|burgers?|pizza|salad|eggs|steak|curry|smoothie|cakes?|pancakes|water|cocktails?|gin|whisky|whiskey|wine|beer|milkshake|bagel|croissant|chips|fries|noodles|rice|pasta|bread|sourdough|porridge|yoghurt|yogurt)`;

function preferenceFact(s: Speaker, you: string, they: string, value: string): StatedFact {
  const key = topicKey(value);
  return fact({
    slot: `preference:${key}`,
    kind: 'preference',
    category: 'preference',
    you,
    they: `${cap(s)} ${they}`,
    value,
    reason: 'said how they like things',
  });
}

/** ", no sugar", ", extra hot", ", with lemon" after "I take my coffee black". */
function extras(s: Speaker, rest: string, thing: string): StatedFact[] {
  const found = /^\s*,\s*(?:and\s+)?(no|extra|with|without)\s+([\p{L} -]{2,20}?)\s*(?:[,.!]|$)/iu.exec(rest);
  if (!found) return [];
  const [how, what] = [found[1]!.toLowerCase(), found[2]!.toLowerCase()];
  if (how === 'no' || how === 'without') {
    return [
      preferenceFact(
        s,
        `You don't take ${what} in your ${thing}.`,
        `doesn't take ${what} in their ${thing}.`,
        `no ${what} in ${thing}`,
      ),
    ];
  }
  return [
    preferenceFact(
      s,
      `You like your ${thing} ${how} ${what}.`,
      `likes their ${thing} ${how} ${what}.`,
      `${thing} ${how} ${what}`,
    ),
  ];
}

const ORDER_ADVERB =
  /^(?:online|by (?:phone|app|email)|in person|ahead|in advance|for delivery|for collection|to go|takeaway|take-away|takeout)$/i;

const preferences: Pattern[] = [
  {
    // "I take my coffee black", "I like my steak medium rare", "I drink my tea with lemon".
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:always\s+|usually\s+|normally\s+|generally\s+|only\s+|tend\s+to\s+|like\s+to\s+|prefer\s+to\s+)?(take|have|drink|like|want|prefer|eat|order)\s+(?:my|our)\s+((?:[\p{L}-]+\s+)?${FOODSTUFF})\s+(?!in\b|on\b|at\b|for\b|from\b|every\b|and\b|is\b|was\b)`,
      'giu',
    ),
    build: (m, rest, s) => {
      const how = phrase(rest, { maxWords: 5 });
      if (!how || /^(?:it|that|this|them|you)\b/i.test(how)) return [];
      const [verb, thing] = [m[1]!.toLowerCase(), m[2]!.toLowerCase()];
      return [
        preferenceFact(
          s,
          `You ${verb} your ${thing} ${secondPerson(how)}.`,
          `${conjugate(verb)} their ${thing} ${thirdPerson(how)}.`,
          `${thing} ${how}`,
        ),
        ...extras(s, rest.slice(rest.indexOf(how) + how.length), thing),
      ];
    },
  },
  {
    // "I always take oat milk in my coffee"; "I don't take milk in my tea".
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:always\s+|usually\s+|normally\s+|generally\s+|only\s+|also\s+)?((?:don't|do not|never)\s+)?(take|have|put|add|like|want|get|ask for|drink)\s+((?:[\p{L}-]+\s+){0,3}?[\p{L}-]+)\s+(in|on|with)\s+(?:my|our)\s+((?:[\p{L}-]+\s+)?${FOODSTUFF})\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const [said0, what] = [m[3]!.toLowerCase(), bareTopic(m[3]!.toLowerCase())];
      if (isVague(what)) return [];
      const [not, verb, on, thing] = [Boolean(m[1]), m[2]!.toLowerCase(), m[4]!.toLowerCase(), m[5]!.toLowerCase()];
      const said = `${said0} ${on} your ${thing}`;
      return [
        preferenceFact(
          s,
          not ? `You don't ${verb} ${said}.` : `You ${verb} ${said}.`,
          `${not ? `doesn't ${verb}` : conjugate(verb)} ${said0} ${on} their ${thing}.`,
          `${not ? 'no ' : ''}${what} ${on} ${thing}`,
        ),
      ];
    },
  },
  {
    // "Two sugars in my tea, always."
    pattern: new RegExp(
      String.raw`^(?:(?:and|just|always|oh)\s+)?((?:[\p{L}\d-]+\s+){0,3}?[\p{L}-]+)\s+(in|on|with)\s+(?:my|our)\s+(${FOODSTUFF})\b(?=\s*(?:$|[,.!]))`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const what = bareTopic(m[1]!.toLowerCase());
      if (isVague(what) || /^(?:i|i'm|we|what|how|is|was|there)\b/i.test(what)) return [];
      const [on, thing] = [m[2]!.toLowerCase(), m[3]!.toLowerCase()];
      return [
        preferenceFact(
          s,
          `You take ${what} ${on} your ${thing}.`,
          `takes ${what} ${on} their ${thing}.`,
          `${what} ${on} ${thing}`,
        ),
      ];
    },
  },
  {
    // "I usually order the large flat white", "I always get the almond croissant".
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:always|usually|normally|generally|tend\s+to|typically|mostly|often)\s+(order|get|have|go\s+for|ask\s+for|choose|pick|buy|grab)\s+`,
      'giu',
    ),
    build: (m, rest, s) => {
      const what = phrase(rest, { maxWords: 6 });
      if (!what || isVague(what)) return [];
      const verb = m[1]!.toLowerCase().replace(/\s+/g, ' ');
      const value = ORDER_ADVERB.test(what) ? `${verb} ${what}` : bareTopic(what);
      return [
        preferenceFact(
          s,
          `You usually ${verb} ${secondPerson(what)}.`,
          `usually ${conjugate(verb)} ${thirdPerson(what)}.`,
          value,
        ),
      ];
    },
  },
  {
    // "my go-to is a cortado", "The usual for me is an oat flat white".
    pattern:
      /\b(?:my\s+(?:usual|go-to|regular|standard)(?:\s+(?:order|drink|coffee))?\s+(?:is|would be|'s)|the\s+usual\s+for\s+me\s+is)\s+/giu,
    build: (_m, rest, s) => {
      const what = phrase(rest, { maxWords: 6 });
      if (!what || isVague(what)) return [];
      const bare = bareTopic(what);
      return [preferenceFact(s, `Your usual is ${what}.`, `usually has ${what}.`, bare)];
    },
  },
  {
    // "Oat milk for me please", "Decaf only for me these days".
    pattern:
      /^(?:(?:and|just|oh)\s+)?((?:[\p{L}-]+\s+){0,3}?[\p{L}-]+)(?:\s+only)?\s+for\s+me\b(?=\s*(?:$|[,.!]|please|thanks|these days|now|from now on))/giu,
    build: (m, _rest, s) => {
      const what = m[1]!.toLowerCase();
      if (
        isVague(what) ||
        /^(?:too|so|very|a bit|same|that|this|it|nothing|enough|thanks|thank|perfect|fine|good|great|work|done|much)\b/i.test(
          what,
        )
      )
        return [];
      return [preferenceFact(s, `You have ${what}.`, `has ${what}.`, what)];
    },
  },
  {
    // "I like to pay by card", "I'd prefer to be contacted by email".
    pattern:
      /\b(?:i|we)(?:'d)?\s+(?:like|prefer|would rather|'d rather|always|rather)\s+(?:to\s+)?((?:pay|paying)\s+(?:by|with|in)\s+[\p{L}]+|be\s+(?:contacted|called|reached|emailed|texted)\s+(?:by|via|on)\s+[\p{L}]+|collect|pick\s+up|sit\s+(?:by|near|outside|inside|at)\b[^,.!?;]*)/giu,
    build: (m, _rest, s) => {
      const how = m[1]!
        .toLowerCase()
        .replace(/^paying/, 'pay')
        .replace(/^be (?:contacted|called|reached|emailed|texted)/, 'contact');
      return [preferenceFact(s, `You like to ${m[1]!.toLowerCase()}.`, `likes to ${m[1]!.toLowerCase()}.`, how)];
    },
  },
  {
    // "Please always email me rather than calling."
    pattern:
      /\b(?:please\s+)?(?:always\s+|only\s+)?(email|text|message|call|phone|ring|whatsapp)\s+(?:me|us)\s+(?:rather than|instead of|not|over)\s+([\p{L}]+)|\b(?:please\s+)?(?:contact|reach)\s+(?:me|us)\s+(?:by|via|on)\s+([\p{L}]+)/giu,
    build: (m, _rest, s) => {
      const said = m[1]
        ? `${m[1].toLowerCase()} you rather than ${m[2]!.toLowerCase()}`
        : `contact you by ${m[3]!.toLowerCase()}`;
      const value = m[1]
        ? `${m[1].toLowerCase()} rather than ${m[2]!.toLowerCase()}`
        : `contact by ${m[3]!.toLowerCase()}`;
      return [
        preferenceFact(
          s,
          `You'd like us to ${said}.`,
          `would like to be contacted by ${m[1]?.toLowerCase() ?? m[3]!.toLowerCase()}.`,
          value,
        ),
      ];
    },
  },
];

export const PREFERENCE_PATTERNS: Pattern[] = preferences;
