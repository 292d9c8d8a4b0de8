/**
 * Plans and events, with their dates resolved against the message's own ("I'm flying to Lisbon
 * on 3 May", "next Tuesday I start my new job", "yesterday I ran my first half marathon").
 */
import { cap, fact, whose, type Pattern, type Speaker, type StatedFact } from './heuristic-fact.js';
import {
  article,
  isVague,
  phrase,
  secondPerson,
  SUBJECT,
  SUBJECT_BE,
  thirdPerson,
  topicKey,
} from './heuristic-words.js';
import { FUTURE_TIME, PAST_TIME, resolveFutureTime, resolvePastTime } from './relative-dates.js';

/** How a plan is said: to the visitor and of them. */
interface PlanVerb {
  you: string;
  they: string;
}
const verb = (you: string, they: string): PlanVerb => ({ you, they });

const EVENT_NOUNS =
  'party|birthday party|wedding|flight|train|ferry|delivery|baby shower|shower|birthday|anniversary|wedding anniversary|christening|graduation|interview|job interview|exam|driving test|test|appointment|surgery|operation|holiday|trip|flight|move|concert|gig|match|race|marathon|conference|dinner party|lunch|bbq|barbecue|celebration|reunion|funeral|hen do|stag do|hen party|stag party|leaving do|retirement party|due date|housewarming|dinner';
/** Things people are doing right now, not plans: "I'm working from home today". */
const NOT_PLANS =
  /^(?:working|feeling|waiting|looking|thinking|wondering|trying|doing|eating|sitting|chatting|talking|asking|reading|browsing|ordering|getting ready|hoping|planning to|going to|about to|staying in|off work|having (?:trouble|issues|problems|fun|a (?:good|great|hard|bad|rough|nice|lovely|look))|not)\b/i;

function plan(s: Speaker, rest: string, how: PlanVerb, needsTime: boolean): StatedFact[] {
  const clause = phrase(rest, { maxWords: 12 });
  if (!clause || isVague(clause)) return [];
  const when = FUTURE_TIME.exec(clause);
  if (needsTime && !when) return [];
  const what = when
    ? `${clause.slice(0, when.index)} ${clause.slice(when.index + when[0].length)}`.replace(/\s+/g, ' ').trim()
    : clause;
  if (
    !what ||
    isVague(what) ||
    /^(?:be back|be in touch|be quick|talk|see you|let you know|think|try|ask|check|do that|do it|go now|have (?:the|a|an|one|two|some)\b|need a bigger)\b/i.test(
      what,
    )
  ) {
    return [];
  }
  const time = when ? resolveFutureTime(when[0], s.at) : undefined;
  const key = topicKey(what);
  // A plan starts with its verb: "Going to Japan" is "going to Japan".
  const doing =
    /^\p{Lu}\p{Ll}+/u.test(what) && !/^I\b/.test(what) ? what.charAt(0).toLowerCase() + what.slice(1) : what;
  return [
    fact({
      slot: `plan:${key}`,
      kind: 'plan',
      category: 'plan',
      you: `${how.you} ${secondPerson(doing)}${time ? ` ${time.words}` : ''}.`,
      they: `${cap(s)} ${how.they} ${thirdPerson(doing)}${time ? ` ${time.canonical}` : ''}.`,
      value: what,
      date: time?.date,
      reason: 'shared a plan',
    }),
  ];
}

/** Something ahead the visitor named: "your wedding anniversary is on 9 March", "you have a baby shower on…". */
function occasion(s: Speaker, rest: string, theirs: boolean): StatedFact[] {
  const when = FUTURE_TIME.exec(rest);
  const what = when && phrase(rest.slice(0, when.index).replace(/\s+is\s*$/i, ''), { maxWords: 8 });
  if (!when || !what) return [];
  const time = resolveFutureTime(when[0], s.at);
  const is = /\s(?:lands|leaves|departs|arrives|starts|begins)\b/i.test(what) ? '' : ' is';
  return [
    fact({
      slot: `plan:${topicKey(what)}`,
      kind: 'plan',
      category: 'plan',
      you: theirs ? `Your ${what}${is} ${time.words}.` : `You have ${article(what)} ${what} ${time.words}.`,
      they: theirs
        ? `${whose(s)} ${what}${is} ${time.canonical}.`
        : `${cap(s)} has ${article(what)} ${what} ${time.canonical}.`,
      value: what,
      date: time.date,
      reason: 'shared a plan',
    }),
  ];
}

const plans: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT_BE}\s+planning\s+(?:to|on)\s+|\b${SUBJECT}\s+(?:plan|intend)\s+to\s+|\b(?:my|our)\s+plan\s+is\s+to\s+`,
      'giu',
    ),
    build: (_m, rest, s) => plan(s, rest, verb('You plan to', 'plans to'), false),
  },
  {
    pattern: new RegExp(String.raw`\b${SUBJECT_BE}\s+hoping\s+to\s+|\b${SUBJECT}\s+hope\s+to\s+`, 'giu'),
    build: (_m, rest, s) => plan(s, rest, verb('You hope to', 'hopes to'), true),
  },
  {
    pattern: new RegExp(String.raw`\b${SUBJECT_BE}\s+(?:going to|gonna)\s+`, 'giu'),
    build: (_m, rest, s) => plan(s, rest, verb("You're going to", 'is going to'), true),
  },
  {
    pattern: new RegExp(String.raw`\b(?:i|we)(?:'ll| will)\s+`, 'giu'),
    build: (_m, rest, s) => plan(s, rest, verb("You'll", 'will'), true),
  },
  {
    pattern: new RegExp(String.raw`\b${SUBJECT}\s+(have|need)\s+to\s+`, 'giu'),
    build: (m, rest, s) =>
      m[1]!.toLowerCase() === 'have'
        ? plan(s, rest, verb('You have to', 'has to'), true)
        : plan(s, rest, verb('You need to', 'needs to'), true),
  },
  {
    // "I'm flying to Lisbon on 3 May", "we're moving house next month", "I'm off to Scotland for the weekend".
    pattern: new RegExp(
      String.raw`\b${SUBJECT_BE}\s+(?:also\s+|finally\s+)?(?=(?:[\p{L}]+ing|off\s+to|away|on\s+holiday|on\s+vacation)\b)`,
      'giu',
    ),
    build: (_m, rest, s) => (NOT_PLANS.test(rest) ? [] : plan(s, rest, verb("You're", 'is'), true)),
  },
  {
    // Plans without a date: "we're hosting Easter lunch", "I'm training for a triathlon".
    pattern: new RegExp(
      String.raw`\b${SUBJECT_BE}\s+(?=(?:hosting|throwing|organising|organizing|having|planning)\s+(?:an?\s+|our\s+|my\s+)?(?:[\p{L}'-]+\s+){0,2}(?:party|lunch|dinner|bbq|barbecue|wedding|celebration|gathering|christening|shower|get-together|picnic|reunion|do)\b|(?:training|saving|preparing)\s+for\s+)`,
      'giu',
    ),
    build: (_m, rest, s) => plan(s, rest, verb("You're", 'is'), false),
  },
  {
    // "Going to Japan next month", "Off to Scotland for the weekend".
    pattern: /^(?=(?:going|off|heading|flying|travelling|traveling|moving|driving)\s+(?:back\s+)?to\s+)/giu,
    build: (_m, rest, s) => plan(s, rest, verb("You're", 'is'), true),
  },
  {
    // "Next Tuesday I start my new job."
    pattern: new RegExp(
      String.raw`^(?:${FUTURE_TIME.source}),?\s+${SUBJECT}(?:'ll|\s+will|'m|\s+am|'re|\s+are)?\s+`,
      'giu',
    ),
    build: (m, rest, s) => {
      const when = FUTURE_TIME.exec(m[0])!;
      return plan(s, `${when[0]} ${rest}`, verb('You will', 'will'), true);
    },
  },
  {
    // "We go on holiday to Crete in two weeks", "I have a job interview on Thursday".
    pattern: new RegExp(
      String.raw`\b${SUBJECT}\s+(?=(?:go|leave|fly|start|move|head|travel|return|begin|graduate|retire|arrive|have\s+(?:an?|my|our|the)\s+(?!question|problem|issue|query|complaint|few|quick|look|think|feeling|chat))\b[^,.!?;]*?${FUTURE_TIME.source})`,
      'giu',
    ),
    build: (_m, rest, s) => plan(s, rest, verb('You', 'will'), true),
  },
  {
    // "It's our wedding anniversary on Sunday", "Baby shower is on the 22nd", "My flight lands at 6am on Friday".
    pattern: new RegExp(
      String.raw`(?:^(?:it's\s+)?|\bit's\s+(?=(?:my|our)\s))(?:(my|our|the)\s+)?(?=(?:[\p{L}'-]+\s+)?(?:${EVENT_NOUNS})\s+(?:(?:is|lands|leaves|departs|arrives|starts|begins)\b[^,.!?;]*?)?${FUTURE_TIME.source})`,
      'giu',
    ),
    build: (m, rest, s) => (/^birthday\b/i.test(rest) ? [] : occasion(s, rest, Boolean(m[1]))),
  },
  {
    // "I need a cake for Friday".
    pattern: new RegExp(
      String.raw`\b${SUBJECT}(?:\s+(?:need|want|would like)|'d\s+like|'m\s+after)\s+(?=(?:an?|some|\d+|two|three)\s+[^,.!?;]*?\b(?:for|by)\s+${FUTURE_TIME.source})`,
      'giu',
    ),
    build: (_m, rest, s) => {
      const clause = rest
        .replace(/^(?:an?|some)\s+/i, '')
        .replace(new RegExp(String.raw`\s+(?:for|by)\s+(?=${FUTURE_TIME.source})`, 'i'), ' ');
      return plan(s, clause, verb('You need', 'needs'), true);
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Events.

const EVENT_VERBS =
  'got|won|lost|passed|failed|finished|graduated|started|moved|married|bought|sold|adopted|became|quit|retired|met|had|joined|launched|completed|returned|arrived|visited|ran|climbed|broke|signed|published|opened|hired|celebrated|went|travelled|traveled|flew|welcomed|recovered|learned|learnt|received|earned|booked|ordered|qualified|gave birth|was promoted';
/** Verbs that say enough without an object: "I graduated last year". */
const ALONE =
  /^(?:graduated|retired|qualified|got promoted|was promoted|got married|got engaged|got divorced|gave birth|moved house|moved)$/i;

function event(s: Speaker, rest: string, when: string): StatedFact[] {
  const clause = phrase(rest.replace(/^(?:finally|actually|just|recently|also)\s+/i, ''), { maxWords: 10 });
  if (!clause) return [];
  const [first, ...words] = clause.split(/\s+/);
  const object = words.join(' ');
  // "I just finished." says nothing worth keeping on its own.
  if (!object && !ALONE.test(clause)) return [];
  if (
    /^(?:here|there|back(?!\s+from\b)|home|it|that|this|up|off|done|through|your|you)\b/i.test(object) &&
    !/^(?:your|you)\b/i.test(object.replace(/^to\s+/, ''))
  ) {
    return [];
  }
  if (
    /^(?:reading|looking|browsing|checking|scrolling|wanted|meant|thought|to)\b/i.test(object) ||
    /^(?:wanted|meant|thought)$/i.test(first!)
  )
    return [];
  const time = resolvePastTime(when, s.at);
  const key = topicKey(clause);
  return [
    fact({
      slot: `event:${key}`,
      kind: 'event',
      category: 'event',
      you: `${time.words}, you ${first!.toLowerCase()} ${secondPerson(object)}`,
      they: `${time.canonical}, ${s.subject} ${first!.toLowerCase()} ${thirdPerson(object)}`,
      value: clause,
      date: time.date,
      reason: 'shared something that happened',
    }),
  ];
}

const events: Pattern[] = [
  {
    pattern: new RegExp(String.raw`\b${SUBJECT}(?:'ve|\s+have)?\s+(just|recently)\s+(?=(?:${EVENT_VERBS})\b)`, 'giu'),
    build: (m, rest, s) => {
      // "I just joined a group last Tuesday": the time said wins over "just".
      const when = PAST_TIME.exec(rest);
      if (when) return event(s, rest.slice(0, when.index) + rest.slice(when.index + when[0].length), when[0]);
      return event(s, rest, m[1]!.toLowerCase() === 'just' ? 'today' : 'recently');
    },
  },
  {
    pattern: new RegExp(
      String.raw`${PAST_TIME.source}\s*,?\s+${SUBJECT}\s+(?:finally\s+|actually\s+)?(?=(?:${EVENT_VERBS})\b)`,
      'giu',
    ),
    build: (m, rest, s) => event(s, rest, PAST_TIME.exec(m[0])![0]),
  },
  {
    pattern: new RegExp(
      String.raw`(?:\b${SUBJECT}\s+|^)(?:finally\s+|actually\s+|just\s+)?(?=(?:${EVENT_VERBS})\b[^,.!?;]*?${PAST_TIME.source})`,
      'giu',
    ),
    build: (_m, rest, s) => {
      const when = PAST_TIME.exec(rest);
      return when ? event(s, rest.slice(0, when.index) + rest.slice(when.index + when[0].length), when[0]) : [];
    },
  },
];

export const TIME_PATTERNS: Pattern[] = [...plans, ...events];
