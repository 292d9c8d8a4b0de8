/**
 * The heuristic extractor's patterns: first-person statements in English ("I love hiking", "my
 * dog is called Rex", "I'm moving to Lisbon next month"), each with how it becomes facts, and
 * the word handling they share.
 */
import type { MemoryCategory } from '@vibhava/protocol';
import { normalizeMemoryText } from './extraction-types.js';
import { FUTURE_TIME, isoDate, monthYear, PAST_TIME, resolveFuture, resolvePast } from './relative-dates.js';

/** A fact a visitor stated about themselves, before it is weighed against what is remembered. */
export interface StatedFact {
  /** What kind of fact: `name`, `age`, `location`, `like:coffee`, `pet:dog:rex`, `plan:visit japan`… */
  slot: string;
  category: MemoryCategory;
  /** Third person, ready to store. */
  text: string;
  /** The fact's value, normalised: `berlin`, `34`, `coffee`. */
  value: string;
  /**
   * `state`: a plain statement; `switch`: a preference that replaces an earlier one ("now",
   * "instead", "over"); `remove`: an earlier preference no longer holds ("not anymore").
   */
  mode: 'state' | 'switch' | 'remove';
  /** For likes and dislikes: the topic in the visitor's words, e.g. `hiking`. */
  topic?: string;
  /** For a switch: what it replaces, when the visitor said so ("tea over coffee"). */
  replaces?: string;
  reason: string;
}

export interface Speaker {
  /** "Sam" or "the visitor". */
  subject: string;
  at: Date;
}

export type Build = (match: RegExpExecArray, rest: string, speaker: Speaker, sentence: string) => StatedFact[];

/** Words for the visitor's partner (one partner slot, whatever the word). */
export const PARTNER = /\b(?:wife|husband|partner|girlfriend|boyfriend|fianc[ée]e?|spouse)\b/i;

const list = (words: string): string[] => words.split('|');
const DIETS = list('vegetarian|vegan|pescatarian|pescetarian|flexitarian|keto|halal|kosher|teetotal');
export const DIET = new RegExp(`\\b(?:${DIETS.join('|')})\\b`, 'i');
const CONDITIONS = list(
  'lactose[- ]intolerant|gluten[- ]intolerant|celiac|coeliac|diabetic|pregnant|deaf|blind|colou?r[- ]?blind|dyslexic|autistic|epileptic',
);
const ILLNESSES = list(
  'diabetes|asthma|adhd|autism|celiac disease|coeliac disease|epilepsy|migraines|anxiety|depression|arthritis|high blood pressure|long covid',
);
const JOBS = list(
  'teacher|nurse|doctor|engineer|developer|programmer|designer|lawyer|accountant|architect|artist|writer|author|journalist|chef|cook|baker|student|scientist|researcher|professor|lecturer|manager|consultant|analyst|pharmacist|dentist|surgeon|physician|therapist|psychologist|paramedic|firefighter|police officer|pilot|driver|mechanic|electrician|plumber|carpenter|farmer|photographer|musician|singer|actor|actress|dancer|waiter|waitress|bartender|barista|cashier|salesperson|entrepreneur|founder|freelancer|translator|librarian|veterinarian|vet|soldier|nanny|receptionist|secretary|editor|producer|director|coach|trainer|tutor|economist|banker|recruiter|intern|retiree|homemaker|social worker|carer|caregiver|midwife|surveyor',
);
export const JOB = new RegExp(`\\b(?:${JOBS.join('|')})s?\\b`, 'i');
const PEOPLE = list(
  'wife|husband|partner|girlfriend|boyfriend|fianc[ée]e?|spouse|son|daughter|brother|sister|mom|mum|mother|dad|father|grandma|grandmother|grandpa|grandfather|kid|child|baby|best friend|friend|cousin|aunt|uncle|niece|nephew',
);
const PETS = list('dog|cat|puppy|kitten|hamster|rabbit|bunny|parrot|bird|horse|turtle|tortoise|guinea pig|fish|pet');
const KIN = `(?:${[...PEOPLE, ...PETS].join('|')})`;
/** A name of one or two words; the second word is never a common word that starts the next clause. */
const NAME = String.raw`([\p{L}][\p{L}'-]*)(?:\s+(?!(?:i|i'm|im|and|but|or|from|in|at|with|by|the|a|an|nice|how|what|please|btw|also|not|here)\b)([\p{L}][\p{L}'-]*))?`;
const NAME_STOP = new Set(
  'not a an the i just so very really here back later tomorrow anytime please when if maybe sure fine ok okay going from in at on with and but or that this it what also actually called crazy whatever anything now soon again'.split(
    ' ',
  ),
);
const LIKE_MODS = String.raw`(?:(?:really|also|absolutely|just|totally|still|do|now|actually|genuinely|truly|kind of|kinda)\s+)*`;
const EVENT_VERBS =
  'got|won|lost|passed|failed|finished|graduated|started|moved|married|bought|sold|adopted|became|quit|retired|met|had|joined|launched|completed|returned|arrived|visited|ran|climbed|broke|signed|published|opened|hired|celebrated|went|travelled|traveled|flew|welcomed|recovered|learned|learnt|received|earned|booked|finally';

/** Patterns in priority order, each with how it becomes facts. */
export const PATTERNS: Array<[RegExp, Build]> = [
  [
    new RegExp(
      String.raw`\b(?:my name is|my name's|i am called|i'm called|(?:you can )?call me|i go by)\s+${NAME}`,
      'giu',
    ),
    (m, rest) => {
      const [first, second] = [m[1]!, m[2]];
      if (NAME_STOP.has(first.toLowerCase())) return [];
      // "call me later": only a capitalised word, or the last word, is a name.
      if (/call me/i.test(m[0]) && !isCapitalized(first) && rest.trim().length > 1) return [];
      const name = [first, second && isCapitalized(second) ? second : ''].filter(Boolean).map(capitalize).join(' ');
      return [
        { ...fact('name', 'identity', `The visitor's name is ${name}.`, name, 'stated their name'), topic: name },
      ];
    },
  ],
  [
    /\bi(?:'m| am)\s+(\d{1,3})(?:\s*(?:years?|yrs?)(?:\s+old)?|\s*y\/?o)?(?=\s*(?:$|[.,!;:)]|and\b|but\b|now\b|btw\b))|\bi\s+(?:just\s+)?turned\s+(\d{1,3})\b/gi,
    (m, _rest, s) => {
      const age = Number(m[1] ?? m[2]);
      if (age < 3 || age > 119) return [];
      const text = `${cap(s)} is ${age} years old (as of ${monthYear(s.at)}).`;
      return [fact('age', 'identity', text, String(age), 'stated their age')];
    },
  ],
  [
    /\bi\s+(?:(?:don't|do not)\s+(?:really\s+)?(like|love|enjoy)\s+(?=[^,.!?;]*\b(?:anymore|any more|any longer)\b)|no longer\s+(like|love|enjoy|drink|eat|play|watch)\s+)|\bi(?:'ve|\s+have)?\s+stopped\s+(\w+ing)\s+|\bi\s+used\s+to\s+(like|love|enjoy)\s+/gi,
    (m, rest, s) => {
      const topic = phrase(rest);
      if (!topic || isVague(topic)) return [];
      // "I used to like coffee but now I prefer tea": the new preference replaces it (below).
      if (m[4] && /\b(?:now|these days|nowadays|instead)\b/i.test(rest)) return [];
      const key = topicKey(topic);
      const text = m[3]
        ? `${cap(s)} stopped ${m[3].toLowerCase()} ${thirdPerson(topic)}.`
        : `${cap(s)} no longer ${conjugate(m[1] ?? m[2] ?? m[4]!)} ${thirdPerson(topic)}.`;
      return [{ ...fact(`like:${key}`, 'preference', text, key, `no longer likes ${topic}`), mode: 'remove', topic }];
    },
  ],
  [
    /\bi(?:'ve| have)?\s+(?:now\s+)?switched\s+(?:from\s+([^,.!?;]+?)\s+)?to\s+/gi,
    (m, rest, s) => {
      const topic = phrase(rest);
      if (!topic || isVague(topic)) return [];
      return tasteFacts(s, 'now prefers', topic, 1, 'switch', m[1] ? { liked: topic, replaced: m[1] } : undefined);
    },
  ],
  [
    new RegExp(
      String.raw`\bi\s+${LIKE_MODS}(dislike|hate|detest|loathe|can't stand|cannot stand|can't bear|(?:don't|do not)\s+(?:really\s+)?(?:like|enjoy))\s+|\bi(?:'m| am)\s+(not (?:a (?:big |huge )?fan of|into))\s+`,
      'gi',
    ),
    (m, rest, s) => {
      const topic = phrase(rest, { list: true });
      if (!topic || isVague(topic)) return [];
      return tasteFacts(s, conjugate(m[1] ?? `am ${m[2]!}`), topic, -1, 'state');
    },
  ],
  [
    new RegExp(
      String.raw`\bi\s+(${LIKE_MODS})(like|love|enjoy|adore|prefer)\s+|\bi(?:'m| am)\s+(now\s+)?(?:really\s+)?(into|a (?:big |huge )?fan of|obsessed with|passionate about)\s+`,
      'gi',
    ),
    (m, rest, s, sentence) => {
      const topic = phrase(rest, { list: true });
      if (!topic || isVague(topic)) return [];
      const verb = conjugate(m[2] ?? `am ${m[4]!}`);
      const usedTo = /\bi\s+used\s+to\s+(?:like|love|enjoy|prefer)\s+(.+)$/i.exec(sentence.slice(0, m.index));
      // "tea over coffee"; "dogs to cats" (prefer only, and not "listening to music").
      const over = /\s(?:over|rather than|instead of|more than)\s/i.exec(topic);
      const to = verb === 'prefers' ? /^(\S+)\s+to\s+(.+)$/i.exec(topic) : null;
      const compare = over
        ? { liked: topic.slice(0, over.index).trim(), replaced: topic.slice(over.index + over[0].length).trim() }
        : to && !/ing$/i.test(to[1]!)
          ? { liked: to[1]!, replaced: to[2]! }
          : usedTo && phrase(usedTo[1]!)
            ? { liked: topic, replaced: phrase(usedTo[1]!)! }
            : undefined;
      const now = /\bnow\b/i.test(m[1] ?? m[3] ?? '') || /\b(?:now|these days|nowadays|instead)\b/i.test(sentence);
      const inPhrase = Boolean(over || to);
      return tasteFacts(
        s,
        now ? `now ${verb}` : verb,
        topic,
        1,
        now || compare ? 'switch' : 'state',
        compare,
        inPhrase,
      );
    },
  ],
  [
    /\bi(?:\s+(?:currently|now|still))?\s+(?:live|reside)\s+in\s+|\bi(?:'m| am)\s+(?:currently\s+|now\s+)?(?:living|based|residing)\s+in\s+/gi,
    (_m, rest, s) =>
      place(rest, (p) => fact('location', 'identity', `${cap(s)} lives in ${p}.`, p, 'said where they live')),
  ],
  [
    /\bi(?:'ve| have)?\s+(?:just\s+|recently\s+)?moved\s+to\s+/gi,
    (_m, rest, s) =>
      place(rest, (p) =>
        fact('location', 'identity', `${cap(s)} moved to ${p} (by ${isoDate(s.at)}).`, p, 'said where they moved'),
      ),
  ],
  [
    /\bi(?:'m| am)\s+(?:originally\s+)?from\s+|\bi\s+(?:originally\s+)?come\s+from\s+|\bi\s+grew\s+up\s+in\s+/gi,
    (_m, rest, s) =>
      place(rest, (p) => fact('origin', 'identity', `${cap(s)} is from ${p}.`, p, 'said where they are from')),
  ],
  [
    new RegExp(
      String.raw`\bi(?:'m| am)\s+(?:now\s+|currently\s+)?an?\s+((?:[\p{L}-]+\s+){0,2}?(?:${JOBS.join('|')}))\b`,
      'giu',
    ),
    (m, _rest, s) => {
      const job = m[1]!.toLowerCase();
      if (/^(?:big|huge|bit|little)\b/.test(job)) return [];
      const slot = /\bstudent\b/.test(job) ? 'study' : 'job';
      return [fact(slot, 'work', `${cap(s)} is ${article(job)} ${job}.`, job, 'said what they do')];
    },
  ],
  [
    /\bi(?:'m| am)\s+(?:now\s+)?(retired|unemployed|self-employed)\b/gi,
    (m, _rest, s) => {
      const status = m[1]!.toLowerCase();
      return [fact('job', 'work', `${cap(s)} is ${status}.`, status, 'said what they do')];
    },
  ],
  [
    /\bi\s+(?:currently\s+|now\s+|still\s+)?work\s+(as|at|for|in)\s+/gi,
    (m, rest, s) => {
      const what = phrase(rest);
      const preposition = m[1]!.toLowerCase();
      if (!what || isVague(what) || /^(?:home|myself|the moment|night)\b/i.test(what)) return [];
      // "in marketing" is a field; "in London" is a place.
      if (preposition === 'in' && isCapitalized(what)) return [];
      const text = `${cap(s)} works ${preposition} ${thirdPerson(what)}.`;
      return [fact('job', 'work', text, what, 'said where or as what they work')];
    },
  ],
  [
    /\bi\s+(?:currently\s+|now\s+)?study\s+|\bi(?:'m| am)\s+(?:currently\s+|now\s+)?studying\s+/gi,
    (_m, rest, s) => {
      const what = phrase(rest);
      if (!what || isVague(what) || /^(?:for|hard)\b/i.test(what)) return [];
      return [fact('study', 'work', `${cap(s)} studies ${thirdPerson(what)}.`, what, 'said what they study')];
    },
  ],
  [
    new RegExp(
      String.raw`\bmy\s+((?:(?:little|big|older|younger|baby|eldest|oldest|youngest|new)\s+)?(${KIN}))(?:'s\s+name\s+is|\s+is\s+called|\s+is\s+named|'s\s+called|,?\s+(?:called|named))\s+${NAME}`,
      'giu',
    ),
    (m, _rest, s) => {
      if (NAME_STOP.has(m[3]!.toLowerCase())) return [];
      return [kinFact(s, m[1]!.toLowerCase(), m[2]!.toLowerCase(), capitalize(m[3]!))];
    },
  ],
  [
    new RegExp(
      String.raw`\bi\s+have\s+(a|an|one|two|three|four|five|\d+)\s+((?:[\p{L}-]+\s+)?)((${KIN})(?:s|ren)?)\b(?!\s+(?:allergy|allergies|food|hair|person|lover|video|friend))(?:,?\s+(?:called|named)\s+${NAME})?`,
      'giu',
    ),
    (m, _rest, s) => {
      const [count, adjective, noun, kind] = [m[1]!, m[2]!, m[3]!, m[4]!].map((x) => x.toLowerCase()) as [
        string,
        string,
        string,
        string,
      ];
      if (kind === 'friend' || kind === 'pet' || KIN_STOP.test(adjective)) return [];
      const name = m[5] && !NAME_STOP.has(m[5].toLowerCase()) ? capitalize(m[5]) : undefined;
      const pet = PETS.includes(kind);
      const text = `${cap(s)} has ${count} ${adjective}${noun}${name ? ` called ${name}` : ''}.`;
      const which = name ? `:${name.toLowerCase()}` : /^(?:a|an|one)$/.test(count) ? '' : `:${count}`;
      return [
        fact(
          `${pet ? 'pet' : 'family'}:${kind}${which}`,
          'relationship',
          text,
          name ?? kind,
          `mentioned their ${kind}`,
        ),
      ];
    },
  ],
  [
    new RegExp(
      String.raw`\bi(?:'m| am)\s+(?:now\s+|happily\s+|recently\s+)?(married|engaged|single|divorced|widowed|separated)\b(?:\s+to\s+${NAME})?`,
      'giu',
    ),
    (m, _rest, s) => {
      const status = m[1]!.toLowerCase();
      const to = m[2] && !NAME_STOP.has(m[2].toLowerCase()) ? ` to ${capitalize(m[2])}` : '';
      return [
        fact('partner', 'relationship', `${cap(s)} is ${status}${to}.`, status, 'said whether they have a partner'),
      ];
    },
  ],
  [
    /\bi\s+(?:just\s+|recently\s+)?got\s+(married|engaged|divorced)\b/gi,
    (m, _rest, s) => {
      const status = m[1]!.toLowerCase();
      const text = `${cap(s)} got ${status} (by ${isoDate(s.at)}).`;
      return [fact('partner', 'relationship', text, status, `got ${status}`)];
    },
  ],
  [
    new RegExp(
      String.raw`\bi(?:'m| am)\s+(?:a\s+|now\s+|strictly\s+|mostly\s+)*(${DIETS.join('|')}|${CONDITIONS.join('|')})\b`,
      'gi',
    ),
    (m, _rest, s) => {
      const what = m[1]!.toLowerCase();
      const slot = DIETS.includes(what) ? 'diet' : `condition:${what}`;
      return [fact(slot, 'health', `${cap(s)} is ${what}.`, what, 'said something about their diet or health')];
    },
  ],
  [
    /\bi(?:'m| am)\s+(?:very\s+|severely\s+|deathly\s+|really\s+|highly\s+)?allergic\s+to\s+|\bi\s+have\s+an?\s+allergy\s+to\s+/gi,
    (_m, rest, s) => {
      const what = phrase(rest, { list: true });
      if (!what || isVague(what)) return [];
      return splitList(what, true).map((item) => {
        const key = topicKey(item);
        return fact(
          `allergy:${key}`,
          'health',
          `${cap(s)} is allergic to ${thirdPerson(item)}.`,
          key,
          'has an allergy',
        );
      });
    },
  ],
  [
    new RegExp(String.raw`\bi\s+(?:have|suffer from)\s+(${ILLNESSES.join('|')})\b`, 'gi'),
    (m, _rest, s) => {
      const what = m[1]!.toLowerCase();
      const text = `${cap(s)} has ${what === 'adhd' ? 'ADHD' : what}.`;
      return [fact(`condition:${what}`, 'health', text, what, 'mentioned a health condition')];
    },
  ],
  [
    /\bi\s+(?:don't|do not|never|can't|cannot)\s+eat\s+/gi,
    (_m, rest, s) => {
      const what = phrase(rest);
      if (!what || isVague(what) || /^(?:right|much|anything|before|after|today|now|late)\b/i.test(what)) return [];
      const key = topicKey(what);
      return [
        fact(`food:${key}`, 'health', `${cap(s)} doesn't eat ${thirdPerson(what)}.`, key, 'said what they do not eat'),
      ];
    },
  ],
  [
    /\bi(?:'m| am)\s+planning\s+(?:to|on)\s+|\bi\s+(?:plan|intend)\s+to\s+|\bmy\s+plan\s+is\s+to\s+/gi,
    (_m, rest, s) => plan(s, rest, 'plans to', false),
  ],
  [/\bi(?:'m| am)\s+hoping\s+to\s+|\bi\s+hope\s+to\s+/gi, (_m, rest, s) => plan(s, rest, 'hopes to', true)],
  [/\bi(?:'m| am)\s+(?:going to|gonna)\s+/gi, (_m, rest, s) => plan(s, rest, 'is going to', true)],
  [/\bi(?:'ll| will)\s+/gi, (_m, rest, s) => plan(s, rest, 'will', true)],
  [
    /\bi\s+(have|need)\s+to\s+/gi,
    (m, rest, s) => plan(s, rest, m[1]!.toLowerCase() === 'have' ? 'has to' : 'needs to', true),
  ],
  [
    /\bi(?:'m| am)\s+(?=(?:flying|travell?ing|heading|moving|visiting|leaving|starting|getting married|going)\b)/gi,
    (_m, rest, s) => plan(s, rest, 'is', true),
  ],
  [
    new RegExp(String.raw`\bi(?:'ve| have)?\s+(just|recently)\s+(?=(?:${EVENT_VERBS})\b)`, 'gi'),
    (m, rest, s) => event(s, rest, m[1]!.toLowerCase() === 'just' ? 'today' : 'recently'),
  ],
  [
    new RegExp(String.raw`${PAST_TIME.source}\s*,?\s+i\s+(?=(?:${EVENT_VERBS})\b)`, 'gi'),
    (m, rest, s) => event(s, rest, PAST_TIME.exec(m[0])![0]),
  ],
  [
    new RegExp(String.raw`\bi\s+(?=(?:${EVENT_VERBS})\b[^,.!?;]*?${PAST_TIME.source})`, 'gi'),
    (_m, rest, s) => {
      const when = PAST_TIME.exec(rest);
      return when ? event(s, rest.slice(0, when.index) + rest.slice(when.index + when[0].length), when[0]) : [];
    },
  ],
];

const KIN_STOP = /^(?:lot|bit|couple|few|question|problem|feeling|hot)\b/i;

function fact(slot: string, category: MemoryCategory, text: string, value: string, reason: string): StatedFact {
  return { slot, category, text, value: normalizeMemoryText(value), mode: 'state', reason };
}

/**
 * Likes and dislikes: one fact per item of "hiking, cooking and reading", or one fact for a
 * comparison ("tea over coffee"; `inPhrase` when the phrase itself says what it replaces).
 */
function tasteFacts(
  s: Speaker,
  verb: string,
  topicPhrase: string,
  sign: 1 | -1,
  mode: StatedFact['mode'],
  compare?: { liked: string; replaced: string },
  inPhrase = false,
): StatedFact[] {
  const kind = sign > 0 ? 'like' : 'dislike';
  const reason = (topic: string) => `${verb} ${topic}`;
  if (compare) {
    const key = topicKey(compare.liked);
    const text = inPhrase
      ? `${cap(s)} ${verb} ${thirdPerson(topicPhrase)}.`
      : `${cap(s)} ${verb} ${thirdPerson(compare.liked)} over ${thirdPerson(compare.replaced)}.`;
    const base = fact(`${kind}:${key}`, 'preference', text, key, reason(compare.liked));
    return [{ ...base, mode, topic: compare.liked, replaces: compare.replaced }];
  }
  return splitList(topicPhrase).map((item) => {
    const key = topicKey(item);
    const base = fact(`${kind}:${key}`, 'preference', `${cap(s)} ${verb} ${thirdPerson(item)}.`, key, reason(item));
    return { ...base, mode, topic: item };
  });
}

function kinFact(s: Speaker, described: string, kind: string, name: string): StatedFact {
  const reason = `mentioned their ${kind}`;
  if (PETS.includes(kind)) {
    const text = `${cap(s)} has ${article(described)} ${described} called ${name}.`;
    return fact(`pet:${kind}:${name.toLowerCase()}`, 'relationship', text, name, reason);
  }
  const slot = PARTNER.test(kind) ? 'partner' : `family:${kind}:${name.toLowerCase()}`;
  return fact(slot, 'relationship', `${cap(s)}'s ${described} is called ${name}.`, name, reason);
}

function place(rest: string, build: (place: string) => StatedFact): StatedFact[] {
  const p = phrase(rest)?.split(/\s+(?:with|for|since|and|near|on|because|where|until|till|at)\b/i)[0];
  if (!p || isVague(p) || /^(?:home|here|there|a|an|my|our|your|this|that|peace|fear|hope)\b/i.test(p)) return [];
  const titled = p === p.toLowerCase() && !/^the\b/.test(p) ? p.replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase()) : p;
  return [build(titled)];
}

function plan(s: Speaker, rest: string, verb: string, needsTime: boolean): StatedFact[] {
  const clause = phrase(rest, { maxWords: 12 });
  if (!clause || isVague(clause)) return [];
  const when = FUTURE_TIME.exec(clause);
  if (needsTime && !when) return [];
  const what = when
    ? `${clause.slice(0, when.index)} ${clause.slice(when.index + when[0].length)}`.replace(/\s+/g, ' ').trim()
    : clause;
  if (!what || /^(?:be back|talk|see you|let you know|think|try|ask|check|do that|do it|go now)\b/i.test(what)) {
    return [];
  }
  const date = when ? ` ${resolveFuture(when[0], s.at)}` : '';
  const key = topicKey(what);
  return [fact(`plan:${key}`, 'plan', `${cap(s)} ${verb} ${thirdPerson(what)}${date}.`, key, 'shared a plan')];
}

function event(s: Speaker, rest: string, when: string): StatedFact[] {
  const clause = phrase(rest, { maxWords: 10 });
  if (!clause) return [];
  const [verb, ...words] = clause.split(/\s+/);
  const object = words.join(' ');
  // "I just finished." says nothing worth keeping on its own.
  if (!object) return [];
  if (/^(?:here|there|back|home|it|that|this|up|off|done|through|your|you)\b/i.test(object)) return [];
  const text = `${resolvePast(when, s.at)}, ${s.subject} ${verb!.toLowerCase()} ${thirdPerson(object)}`.trim();
  const key = topicKey(clause);
  return [fact(`event:${key}`, 'event', `${text}.`, key, 'shared something that happened')];
}

// ---------------------------------------------------------------------------------------------
// Words.

const BOUNDARY =
  /[,.;:!?()]|\s(?:but|because|since|though|although|when|while|whenever|so|which|who|if|unless|as well as|and then|and i|and my|except|and (?:also |really )?(?:hate|love|like|dislike|enjoy|adore|prefer|can't|cannot|don't|am|have|work|live))\b|\s[-–—]\s/i;
const LIST_BOUNDARY = new RegExp(BOUNDARY.source.replace('[,.', '[.'), 'i');
const LIST_STOP =
  /^\s*(?:i|i'm|you|we|he|she|they|it|it's|that|this|but|so|because|which|especially|though|actually|really|even|as|like|just|not)\b/i;
/** Words a complete phrase does not end on: what is left when a clause was cut mid-way. */
const DANGLING =
  /\s+(?:and|or|but|nor|to|of|with|for|from|about|into|the|a|an|it|its|was|is|were|are|be|been|being|that|this|their|my|your|our|in|on|at|by|so|very|try|just|also)$/i;
const TRAILING =
  /\s+(?:so much|very much|a lot|a ton|too|really|now|anymore|any more|any longer|these days|nowadays|instead|lately|at the moment|right now|though|as well|more|the most|most|honestly|haha|lol)$/i;

/**
 * The phrase at the start of `rest`, up to the end of its clause; undefined when longer than
 * `maxWords`. With `list`, "hiking, cooking and reading" is kept whole.
 */
function phrase(rest: string, options: { maxWords?: number; list?: boolean } = {}): string | undefined {
  const cut = (options.list ? LIST_BOUNDARY : BOUNDARY).exec(rest);
  let p = (cut ? rest.slice(0, cut.index) : rest).trim();
  if (options.list) {
    const [first = '', ...others] = p.split(',');
    const items = [first];
    for (const other of others) {
      if (other.trim().split(/\s+/).length > 4 || LIST_STOP.test(other)) break;
      items.push(other);
    }
    p = items.join(',').trim();
  }
  for (let previous = ''; previous !== p;) {
    previous = p;
    p = p.replace(TRAILING, '').replace(DANGLING, '').trim();
  }
  const words = p.split(/\s+/).filter(Boolean);
  return words.length === 0 || words.length > (options.maxWords ?? (options.list ? 12 : 6)) ? undefined : p;
}

function isVague(p: string): boolean {
  return (
    /^(?:it|that|this|them|those|these|him|her|what|how|when|where|which|everything|anything|something|nothing|everyone|anyone|someone|nobody|one|none|not|so|to (?:think|say|believe|know|imagine|ask|see|hear|talk|chat))\b/i.test(
      p,
    ) || /\byou(?:r|rs)?\b/i.test(p)
  );
}

/** "hiking, cooking and reading" → three topics; "mac and cheese" stays one unless `nouns`. */
function splitList(p: string, nouns = false): string[] {
  const comma = p.includes(',');
  const parts = p.split(comma ? /\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+/i : /\s+(?:and|&)\s+/i);
  const ok = parts.length > 1 && (comma || nouns || parts.every((x) => /^\S+ing$/i.test(x.trim())));
  return (ok ? parts : [p]).map((x) => x.trim()).filter(Boolean);
}

/** First person → third person: "my mum" → "their mum". */
function thirdPerson(p: string): string {
  return p
    .replace(/\bmyself\b/gi, 'themselves')
    .replace(/\bmine\b/gi, 'theirs')
    .replace(/\b(?:my|our)\b/gi, 'their')
    .replace(/\bme\b/gi, 'them')
    .replace(/\bi(?:'m| am)\b/gi, 'they are')
    .replace(/\bi\b/gi, 'they');
}

/** How a topic is compared: lower case, no articles or possessives, plural `s` dropped. */
export function topicKey(p: string): string {
  return normalizeMemoryText(p)
    .replace(/^(?:(?:the|a|an|my|their|our|some|to)\s+)+/, '')
    .split(' ')
    .map(stem)
    .join(' ');
}

export function stem(word: string): string {
  return word.length > 3 && /[^s]s$/.test(word) ? word.slice(0, -1) : word;
}

/** "love" → "loves", "watch" → "watches", "don't like" → "doesn't like", "am into" → "is into". */
function conjugate(verb: string): string {
  const v = verb.toLowerCase().replace(/\s+/g, ' ');
  if (/^(?:'m|am)\b/.test(v)) return v.replace(/^(?:'m|am)/, 'is');
  if (/^(?:don't|do not)\b/.test(v)) return v.replace(/^(?:don't|do not)/, "doesn't");
  if (/^(?:cannot|can't)\b/.test(v)) return v.replace(/^cannot/, "can't");
  return /(?:ch|sh|s|x|o)$/.test(v) ? `${v}es` : `${v}s`;
}

function isCapitalized(word: string): boolean {
  return word.charAt(0) !== word.charAt(0).toLowerCase();
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function cap(s: Speaker): string {
  return capitalize(s.subject);
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
