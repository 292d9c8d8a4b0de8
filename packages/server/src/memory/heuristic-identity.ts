/**
 * Where the visitor lives and comes from, their work and study ("I live in Leeds", "I'm
 * originally from Kraków", "I'm a nurse at St Mary's", "I teach maths", "I study law").
 */
import { cap, fact, type Pattern, type Speaker, type StatedFact } from './heuristic-fact.js';
import {
  article,
  capitalize,
  FIELDS,
  isCapitalized,
  isVague,
  JOBS,
  NATIONALITIES,
  phrase,
  secondPerson,
  SUBJECT,
  SUBJECT_BE,
  thirdPerson,
  titleCase,
} from './heuristic-words.js';
import { byThen, FUTURE_TIME } from './relative-dates.js';

// ---------------------------------------------------------------------------------------------
// Where they live and come from.

const NEARBY =
  /^(?:just\s+)?(?:around the corner|round the corner|nearby|close by|close to you|down the road|next door|locally|in the area|near you|near here|up the road|across the road)\b/i;

/** The place at the start of `rest` ("Leeds", "a small village near York" → "near York"). */
function placeIn(rest: string): string | undefined {
  const p = phrase(rest, { maxWords: 8 });
  if (!p) return undefined;
  const home =
    /^(?:a|an|the|my|our)\s+(?:[\p{L}-]+\s+){0,2}?(?:village|town|city|suburb|flat|house|apartment|place|cottage|farm|street|area)\s+(near|outside|just outside|close to|in|on the outskirts of)\s+(.+)$/iu.exec(
      p,
    );
  const place = home
    ? `${home[1]!.toLowerCase() === 'in' ? '' : `${home[1]!.toLowerCase()} `}${home[2]}`
    : p.split(/\s+(?:with|for|since|and|near|on|because|where|until|till|at|from)\b/i)[0]!;
  if (
    !place ||
    isVague(place) ||
    /^(?:home|here|there|a|an|my|our|your|this|that|peace|fear|hope|love|bed|the (?:queue|shop|car|office|middle|back|front|way))\b/i.test(
      place,
    )
  )
    return undefined;
  return titleCase(place.trim());
}

function locationFact(s: Speaker, place: string, moved = false): StatedFact {
  // "nearby", "near York": no "in".
  const where = /^(?:nearby|near|outside|just outside|close to|on the outskirts of)\b/i.test(place)
    ? place
    : `in ${place}`;
  return fact({
    slot: 'location',
    kind: 'location',
    category: 'identity',
    you: moved ? `You moved to ${place} (${byThen(s.at).words}).` : `You live ${where}.`,
    they: moved ? `${cap(s)} moved to ${place} (${byThen(s.at).canonical}).` : `${cap(s)} lives ${where}.`,
    value: place,
    reason: moved ? 'said where they moved' : 'said where they live',
  });
}

export function originFact(s: Speaker, place: string, said = `from ${place}`): StatedFact {
  return fact({
    slot: 'origin',
    kind: 'origin',
    category: 'identity',
    you: `You're ${said}.`,
    they: `${cap(s)} is ${said}.`,
    value: place,
    reason: 'said where they are from',
  });
}

const places: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:currently\s+|now\s+|still\s+|both\s+)?(?:live|reside)\s+(?:with\s+[^,.;!?]{1,30}?\s+)?in\s+|\b${SUBJECT_BE}\s+(?:currently\s+|now\s+)?(?:living|based|residing)\s+in\s+|\bhere\s+in\s+(?=\p{Lu})|\bhome\s+(?:for\s+(?:me|us)\s+)?is\s+(?:in\s+)?|\b(?:i've|we've|i have|we have)\s+been\s+(?:living\s+)?in\s+(?=[^,.;!?]*\b(?:for|since|\d+\s+years)\b)|^been\s+in\s+`,
      'giu',
    ),
    build: (_m, rest, s) => {
      const place = placeIn(
        rest.replace(/^(?:a tiny|a small|a big|a little)\s+(?:flat|house|apartment|place)\s+in\s+/i, ''),
      );
      return place ? [locationFact(s, place)] : [];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:just\s+|still\s+)?live\s+(?=(?:just\s+)?(?:around|round|nearby|close|down|next|locally|in the area|near|up|across)\b)`,
      'giu',
    ),
    build: (_m, rest, s) => (NEARBY.test(rest) ? [locationFact(s, 'nearby')] : []),
  },
  {
    // "I live on a boat".
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:currently\s+|now\s+|still\s+)?live\s+on\s+an?\s+(boat|narrowboat|houseboat|barge|farm|island|estate|smallholding|ranch|campsite)\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const home = m[1]!.toLowerCase();
      return [
        fact({
          slot: 'location',
          kind: 'location',
          category: 'identity',
          you: `You live on ${article(home)} ${home}.`,
          they: `${cap(s)} lives on ${article(home)} ${home}.`,
          value: home,
          reason: 'said where they live',
        }),
      ];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}(?:'ve|\s+have)?\s+(?:just\s+|recently\s+|finally\s+)?moved\s+(?:house\s+)?to\s+`,
      'giu',
    ),
    build: (_m, rest, s) => {
      const place = placeIn(rest);
      return place ? [locationFact(s, place, true)] : [];
    },
  },
  {
    // "I'm in Toronto" (a place has capitals; "I'm in marketing" is work, below).
    pattern: /\bi(?:'m| am)\s+(?:currently\s+|now\s+)?in\s+(?=(?:the\s+)?\p{Lu})/gu,
    build: (_m, rest, s) => {
      if (FUTURE_TIME.test(rest) || new RegExp(`^(?:${FIELDS.join('|')})\\b`, 'i').test(rest)) return [];
      const place = placeIn(rest);
      return place && !s.caseless ? [locationFact(s, place)] : [];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT_BE}\s+(?:originally\s+)?from\s+|\b${SUBJECT}\s+(?:originally\s+)?come\s+from\s+|\b${SUBJECT}\s+grew\s+up\s+in\s+|\b(?:i\s+was\s+)?born\s+and\s+(?:raised|bred)\s+in\s+|\bi\s+was\s+born\s+in\s+(?=\D)`,
      'giu',
    ),
    build: (_m, rest, s) => {
      const place = placeIn(rest);
      return place ? [originFact(s, place)] : [];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\bi(?:'m| am)\s+(?:originally\s+|half[- ])?(${Object.keys(NATIONALITIES).join('|')})\b(?!\s+(?:food|cuisine|style|cooking|dishes))`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const adjective = capitalize(m[1]!.toLowerCase());
      return [originFact(s, adjective, adjective)];
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Work and study.

const NOT_A_JOB =
  /^(?:big|huge|bit|little|good|great|bad|terrible|awful|amateur|home|hobby|former|ex|aspiring|wannabe|would-be|keen|proud|frustrated|failed)\b/i;

export function jobFact(s: Speaker, job: string, employer?: string): StatedFact {
  const slot = /\bstudent\b/.test(job) ? 'study' : 'job';
  const at = employer ? ` at ${employer}` : '';
  return fact({
    slot,
    kind: slot === 'study' ? 'study' : 'work',
    category: 'work',
    you: `You're ${article(job)} ${job}${at}.`,
    they: `${cap(s)} is ${article(job)} ${job}${at}.`,
    value: job,
    ...(employer && slot === 'job' ? { values: [employer] } : {}),
    reason: 'said what they do',
  });
}

function workFact(s: Speaker, you: string, they: string, value: string, slot = 'job'): StatedFact {
  return fact({
    slot,
    kind: slot === 'study' ? 'study' : 'work',
    category: 'work',
    you,
    they: `${cap(s)} ${they}`,
    value,
    reason: slot === 'study' ? 'said what they study' : 'said what they do',
  });
}

const JOB_LIST = JOBS.join('|');
const BUSINESS =
  'café|cafe|coffee shop|shop|business|restaurant|bakery|bar|pub|company|firm|salon|studio|practice|hotel|b&b|farm|gym|agency|store|startup|start-up|charity|nursery|clinic|garage|stall|food truck|consultancy|label|brand|bookshop|boutique|kitchen';

const work: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\bi\s+(?:just\s+|recently\s+)?started\s+(?:work(?:ing)?\s+|a\s+new\s+job\s+)?as\s+an?\s+((?:[\p{L}-]+\s+){0,2}?(?:${JOB_LIST}))\b`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const job = m[1]!.toLowerCase();
      const started = fact({
        slot: `event:started as ${job}`,
        kind: 'event',
        category: 'event',
        you: `You started as ${article(job)} ${job} (${byThen(s.at).words}).`,
        they: `${cap(s)} started as ${article(job)} ${job} (${byThen(s.at).canonical}).`,
        value: `started as ${article(job)} ${job}`,
        reason: 'started a new job',
      });
      return [jobFact(s, job), started];
    },
  },
  {
    pattern: new RegExp(
      String.raw`(?:\b${SUBJECT_BE}\s+(?:now\s+|currently\s+|also\s+|actually\s+|still\s+)?|^as\s+|(?<=\bi(?:'m| am)\b[^.!?;]{0,30}?),?\s+and\s+)an?\s+((?:[\p{L}-]+\s+){0,2}?(?:${JOB_LIST}))\b(?:\s+(?:at|for|with)\s+(\p{Lu}[\p{L}'&-]*(?:\s+\p{Lu}[\p{L}'&-]*){0,3}))?`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const job = m[1]!.toLowerCase();
      if (NOT_A_JOB.test(job) || /\b(?:mum|mom|dad|parent)\s+of\b/.test(job)) return [];
      const student = /\bstudent\b/.test(job);
      return [student && m[2] ? jobFact(s, `${job} at ${m[2]}`) : jobFact(s, job, m[2])];
    },
  },
  {
    pattern:
      /\bi(?:'m| am)\s+(?:now\s+|currently\s+)?(retired|unemployed|self-employed|self employed|freelance|between jobs|out of work|job hunting|looking for work|on maternity leave|on paternity leave)\b/giu,
    build: (m, _rest, s) => {
      const status = m[1]!.toLowerCase();
      return [workFact(s, `You're ${status}.`, `is ${status}.`, status)];
    },
  },
  {
    pattern:
      /\bi\s+(?:currently\s+|now\s+|still\s+)?work(?:\s+(?:nights|days|weekends|part[- ]time|full[- ]time|shifts|freelance|remotely|from home|for myself|for a living))*\s+(as|at|for|in)\s+|\bmy\s+(?:job|work)\s+is\s+(in|at|as)\s+/giu,
    build: (m, rest, s) => {
      const what = phrase(rest.replace(/^an?\s+/i, ''), { maxWords: 8 });
      const preposition = (m[1] ?? m[2])!.toLowerCase();
      if (!what || isVague(what) || /^(?:home|myself|the moment|night|nights|weekends)\b/i.test(what)) return [];
      const field = new RegExp(`^(?:${FIELDS.join('|')})\\b`, 'i').test(what);
      // "in marketing" is a field; "in London" is a place.
      if (preposition === 'in' && isCapitalized(what) && !field) return [];
      const said = `${preposition === 'as' ? `as ${article(what)} ` : `${preposition} `}${what}`;
      return [workFact(s, `You work ${secondPerson(said)}.`, `works ${thirdPerson(said)}.`, what)];
    },
  },
  {
    pattern: new RegExp(String.raw`\bi(?:'m| am)\s+(?:now\s+)?in\s+(${FIELDS.join('|')})\b`, 'giu'),
    build: (m, _rest, s) => {
      const field = m[1]!;
      return [workFact(s, `You work in ${field}.`, `works in ${field}.`, field)];
    },
  },
  {
    // "I work nights", "I work part-time": how, when nothing says where.
    pattern:
      /\bi\s+(?:currently\s+|now\s+|still\s+)?work\s+(nights|night shifts|days|weekends|shifts|part[- ]time|full[- ]time|remotely|from home)\b(?!\s+(?:as|at|for|in)\b)/giu,
    build: (m, _rest, s) => {
      const how = m[1]!.toLowerCase();
      return [workFact(s, `You work ${how}.`, `works ${how}.`, how)];
    },
  },
  {
    pattern: /\bi\s+(?:currently\s+|now\s+)?teach\s+/giu,
    build: (_m, rest, s) => {
      const what = phrase(rest)?.split(/\s+(?:at|in|to|for)\s+/i)[0];
      if (!what || isVague(what) || /^(?:myself|them|him|her)\b/i.test(what)) return [];
      return [workFact(s, `You teach ${what}.`, `teaches ${what}.`, `teach ${what}`)];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?:run|own|manage|have|started)\s+(?:a|an|my own|my|our|our own|the)\s+((?:[\p{L}'-]+\s+){0,3}?(?:${BUSINESS}))(?![\p{L}])`,
      'giu',
    ),
    build: (m, _rest, s) => {
      const business = m[1]!.toLowerCase();
      const own = /\b(?:my|our) own\s+$/i.test(m[0].slice(0, m[0].length - m[1]!.length)) ? 'own ' : '';
      return [
        workFact(
          s,
          `You run ${own ? 'your own' : article(business)} ${business}.`,
          `runs ${own ? 'their own' : article(business)} ${business}.`,
          `${own}${business}`,
        ),
      ];
    },
  },
  {
    pattern:
      /\bi\s+(?:currently\s+|now\s+)?study\s+|\bi(?:'m| am)\s+(?:currently\s+|now\s+)?studying\s+|(?<=\bi(?:'m| am)\b[^.!?;]{3,40}?)\bstudying\s+/giu,
    build: (_m, rest, s) => {
      const what = phrase(rest);
      if (!what || isVague(what) || /^(?:hard|right|now|tonight|today)\b/i.test(what)) return [];
      // "studying for my nursing exams": what the exams are in.
      const exam = /^for\s+(?:my|the|an?)\s+(.+?)\s+(?:exams?|finals|degree|qualification|test)$/i.exec(what);
      if (/^for\b/i.test(what) && !exam) return [];
      if (exam) return [workFact(s, `You study ${exam[1]}.`, `studies ${exam[1]}.`, exam[1]!, 'study')];
      return [workFact(s, `You study ${secondPerson(what)}.`, `studies ${thirdPerson(what)}.`, what, 'study')];
    },
  },
  {
    pattern:
      /\bi(?:'m| am)\s+(?:doing|studying for|working on|halfway through|in the middle of|finishing)\s+(?:an?\s+|my\s+)?((?:phd|doctorate|masters?|master's|degree|ba|bsc|msc|ma|mba|diploma|apprenticeship|course|a-levels|a levels|gcses)(?:\s+(?:in|on)\s+[^,.;!?]+)?)/giu,
    build: (m, _rest, s) => {
      const what = phrase(m[1]!) ?? m[1]!;
      return [
        workFact(
          s,
          `You're doing ${article(what)} ${what}.`,
          `is doing ${article(what)} ${what}.`,
          what.replace(/^phd\b/i, 'PhD'),
          'study',
        ),
      ];
    },
  },
];

export const IDENTITY_PATTERNS: Pattern[] = [...work, ...places];
