/**
 * What the visitor likes and dislikes ("I love hiking", "not a fan of spicy food", "chocolate is
 * my favourite"), what no longer holds ("I don't drink coffee anymore"), and how they have
 * things ("I take oat milk in my coffee", "I usually order the large flat white").
 */
import { cap, fact, whose, type Pattern, type Speaker, type StatedFact } from './heuristic-fact.js';
import {
  bareTopic,
  conjugate,
  FOOD,
  isVague,
  phrase,
  secondPerson,
  splitList,
  SUBJECT_BE,
  thirdPerson,
  topicKey,
  yourVerb,
} from './heuristic-words.js';

const LIKE_MODS = String.raw`(?:(?:really|realy|rly|also|absolutely|just|totally|still|do|now|actually|genuinely|truly|kind of|kinda|both|all|so|super|honestly|seriously|definitely|properly|simply)\s+)*`;
/** Things of the avatar's own that a visitor praises in passing, not a taste worth keeping. */
const SERVICE =
  /^(?:shop|store|website|site|place|service|staff|team|app|chat|help|answers?|work|page|bakery|café|cafe|restaurant|menu|prices|vibe|idea|style|name|voice|face|avatar|bot|advice|suggestions?|recommendations?)$/i;

/** The topic of a taste, or undefined when it is vague or a thing of the avatar's own. */
function tasteTopic(rest: string, options: { list?: boolean; subjectless?: boolean } = {}): string | undefined {
  const raw = phrase(rest, { list: options.list ?? true });
  if (!raw || isVague(raw) || /^(?:all the|the (?:way|look|sound|colou?rs?|idea|fact|thought|feeling))\b/i.test(raw))
    return undefined;
  // "Love and acceptance should be everyone's right": a subject, not a taste.
  if (
    options.subjectless &&
    (/^(?:the|and|or|is|are)\b/i.test(raw) || /\b(?:is|are|was|were|should|can|will|makes?)\b/i.test(raw))
  ) {
    return undefined;
  }
  const topic = bareTopic(raw.replace(/^(?:(?:love|adore)[\s,!]+)+/i, ''));
  if (!topic || isVague(topic) || SERVICE.test(topic) || /^(?:your|the)\s*$/i.test(topic)) return undefined;
  return topic.replace(
    /\s+(?:at the weekends?|on (?:the )?weekends|in the (?:evenings?|mornings?)|every day|every (?:week|morning|evening))$/i,
    '',
  );
}

/** A taste said as the sentence's subject: "Reading is my favourite", "Chocolate is my thing" (capitals for starting the sentence only). */
function subjectTopic(words: string): string {
  const topic = bareTopic(words);
  const common = /^\p{Lu}\p{Ll}+ing$/u.test(topic) || new RegExp(`^${FOOD}$`, 'i').test(topic);
  return common ? topic.charAt(0).toLowerCase() + topic.slice(1) : topic;
}

/**
 * Likes and dislikes: one fact per item of "hiking, cooking and reading", or one fact for a
 * comparison ("tea over coffee"; `inPhrase` when the phrase itself says what it replaces).
 */
export function tasteFacts(
  s: Speaker,
  verb: string,
  topicPhrase: string,
  sign: 1 | -1,
  mode: StatedFact['mode'],
  compare?: { liked: string; replaced: string },
  inPhrase = false,
): StatedFact[] {
  const kind = sign > 0 ? 'like' : 'dislike';
  const now = /^now\s+/i.test(verb) ? 'now ' : '';
  const base = verb.replace(/^now\s+/i, '');
  const you = `You ${now}${yourVerb(base)}`.replace(
    /^You (now )?are /,
    (_all, n: string | undefined) => `You're ${n ?? ''}`,
  );
  const said = (topic: string) => ({
    you: `${you} ${secondPerson(topic)}.`,
    they: `${cap(s)} ${now}${conjugate(base)} ${thirdPerson(topic)}.`,
  });
  const build = (topic: string, wording: { you: string; they: string }) => {
    const key = topicKey(topic);
    const stated = fact({
      slot: `${kind}:${key}`,
      kind,
      category: 'preference',
      ...wording,
      value: key,
      reason: `${now}${conjugate(base)} ${topic}`,
    });
    return { ...stated, mode, topic };
  };
  if (compare) {
    const wording = inPhrase ? said(topicPhrase) : said(`${compare.liked} over ${compare.replaced}`);
    return [{ ...build(compare.liked, wording), replaces: compare.replaced }];
  }
  return splitList(topicPhrase).map((item) => build(item, said(item)));
}

const removals: Pattern[] = [
  {
    pattern:
      /\bi\s+(?:(?:don't|do not)\s+(?:really\s+)?(like|love|enjoy)\s+(?=[^,.!?;]*\b(?:anymore|any more|any longer)\b)|no longer\s+(like|love|enjoy|drink|eat|play|watch)\s+)|\bi(?:'ve|\s+have)?\s+stopped\s+(\w+ing)\s+|\bi\s+used\s+to\s+(like|love|enjoy)\s+/giu,
    build: (m, rest, s) => {
      const topic = phrase(rest);
      if (!topic || isVague(topic)) return [];
      // "I used to like coffee but now I prefer tea": the new preference replaces it (below).
      if (m[4] && /\b(?:now|these days|nowadays|instead)\b/i.test(rest)) return [];
      const key = topicKey(topic);
      const verb = m[3] ? `stopped ${m[3].toLowerCase()}` : `no longer ${m[1] ?? m[2] ?? m[4]}`;
      const they = m[3] ? verb : `no longer ${conjugate(m[1] ?? m[2] ?? m[4]!)}`;
      const base = fact({
        slot: `like:${key}`,
        kind: 'dislike',
        category: 'preference',
        you: `You ${verb.toLowerCase()} ${secondPerson(topic)}.`,
        they: `${cap(s)} ${they.toLowerCase()} ${thirdPerson(topic)}.`,
        value: key,
        reason: `no longer likes ${topic}`,
      });
      return [{ ...base, mode: 'remove', topic }];
    },
  },
  {
    pattern: /\bi(?:'ve| have)?\s+(?:now\s+)?switched\s+(?:from\s+([^,.!?;]+?)\s+)?to\s+/giu,
    build: (m, rest, s) => {
      const topic = phrase(rest);
      if (!topic || isVague(topic)) return [];
      return tasteFacts(s, 'now prefer', topic, 1, 'switch', m[1] ? { liked: topic, replaced: m[1] } : undefined);
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Likes and dislikes.

const NEGATIVE_VERBS = String.raw`dislike|hate|detest|loathe|can't stand|cannot stand|can't bear|(?:don't|do not)\s+(?:really\s+)?(?:like|enjoy|care for)`;
const NEGATIVE_BE = String.raw`not (?:a (?:big |huge )?fan of|into|keen on|big on|a big [\p{L}]+ person)`;

const FEARS = String.raw`afraid|scared|terrified|frightened|petrified|anxious|nervous|phobic|wary`;
const TIME_WORDS = /\b(?:today|tonight|tomorrow|next|this|on (?:mon|tues|wednes|thurs|fri|satur|sun)day|later|soon)\b/i;
const FEAR_MODS = String.raw`(?:(?:really|quite|so|very|a bit|a little|kind of|kinda|super|always|honestly|genuinely|pretty|rather|absolutely|incredibly|totally)\s+)*`;

const dislikes: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\b(?:i|we)\s+${LIKE_MODS}(${NEGATIVE_VERBS})\s+|\b${SUBJECT_BE}\s+(${NEGATIVE_BE})\s+|^(?:(?:and|also|but|honestly|seriously|oh)[,\s]+)?(?:really\s+)?(hate|detest|can't stand|cannot stand|${NEGATIVE_BE})\s+`,
      'giu',
    ),
    build: (m, rest, s) => {
      const topic = tasteTopic(rest, { subjectless: Boolean(m[3]) });
      if (!topic) return [];
      const verb = m[1] ?? (m[2] ? `am ${m[2]}` : /^not\b/i.test(m[3]!) ? `am ${m[3]}` : m[3]!);
      return tasteFacts(s, verb.toLowerCase().replace(/^(?:don't|do not)\s+really\s+/, "don't "), topic, -1, 'state');
    },
  },
  {
    // "Coconut isn't for me", "Raisins are not my thing".
    pattern:
      /^(?:(?:and|but|honestly|sadly)[,\s]+)?((?:[\p{L}'-]+\s+){0,2}?[\p{L}'-]+)\s+(?:isn't|is not|aren't|are not|'s not)\s+(?:really\s+)?(?:for me|my thing|my cup of tea)\b/giu,
    build: (m, _rest, s) => {
      const topic = subjectTopic(m[1]!);
      if (isVague(topic) || /^(?:it|that|this|he|she|they|which)\b/i.test(topic)) return [];
      return tasteFacts(s, "don't like", topic, -1, 'state');
    },
  },
  {
    // Fears: "I'm quite anxious about dentists", "I'm terrified of needles", "scared of dogs".
    pattern: new RegExp(String.raw`\b(?:${SUBJECT_BE}\s+|^)(?:${FEAR_MODS})(${FEARS})\s+(of|about|around)\s+`, 'giu'),
    build: (m, rest, s) => {
      // Not a passing worry about this visit ("nervous about the price", "…my test tomorrow").
      if (/^\s*(?:it|that|this|the|what|how|whether|if|going|getting|paying)\b/i.test(rest)) return [];
      const topic = tasteTopic(rest);
      if (!topic || TIME_WORDS.test(topic)) return [];
      return tasteFacts(s, `am ${m[1]!.toLowerCase()} ${m[2]!.toLowerCase()}`, topic, -1, 'state');
    },
  },
  {
    pattern: new RegExp(String.raw`\b${SUBJECT_BE}\s+not\s+an?\s+([\p{L}]+)\s+person\b`, 'giu'),
    build: (m, _rest, s) => personTaste(s, m[1]!, -1),
  },
];

const ANIMALS = /^(?:dog|cat|bird|horse|rabbit)$/i;

function personTaste(s: Speaker, what: string, sign: 1 | -1): StatedFact[] {
  const lower = what.toLowerCase();
  if (/^(?:people|morning|night|evening|early|late|real|good|bad|nice|different|new|private|shy)$/.test(lower)) {
    return [];
  }
  const topic = ANIMALS.test(lower) ? `${lower}s` : lower;
  return tasteFacts(s, sign > 0 ? 'like' : "don't like", topic, sign, 'state');
}

const likes: Pattern[] = [
  {
    pattern: new RegExp(
      String.raw`\b(?:i|we)\s+(${LIKE_MODS})(like|love|enjoy|adore|prefer)\s+|\b${SUBJECT_BE}\s+(now\s+)?(?:really\s+|also\s+|such\s+|both\s+)?(into|a (?:big |huge |massive )?fan of|obsessed with|passionate about|keen on|crazy about|mad about)\s+|^(?:(?:and|also|honestly|seriously|oh|ok|okay)[,\s]+)?(?:(?:love|adore)[\s,!]+)*(?:really\s+|absolutely\s+|totally\s+)?(love|adore|(?:a\s+|such\s+a\s+)?(?:big|huge|massive)\s+fan\s+of)\s+|\b(?:i\s+)?can't\s+get\s+enough\s+of\s+|\bi\s+have\s+(?:a|such a)\s+(?:real\s+|big\s+|huge\s+|soft\s+|bit of a\s+)?(?:weakness|soft spot|thing)\s+for\s+`,
      'giu',
    ),
    build: (m, rest, s, sentence) => {
      const subjectless = Boolean(m[5]);
      const topic = tasteTopic(rest, { subjectless });
      if (!topic) return [];
      const verb = m[2]
        ? m[2].toLowerCase()
        : m[4]
          ? `am ${m[4].toLowerCase()}`
          : m[5]
            ? /fan/i.test(m[5])
              ? 'am a big fan of'
              : m[5].toLowerCase()
            : 'love';
      const usedTo = /\bi\s+used\s+to\s+(?:like|love|enjoy|prefer)\s+(.+)$/i.exec(sentence.slice(0, m.index));
      // "tea over coffee"; "dogs to cats" (prefer only, and not "listening to music").
      const over = /\s(?:over|rather than|instead of|more than)\s/i.exec(topic);
      const to = verb === 'prefer' ? /^(\S+)\s+to\s+(.+)$/i.exec(topic) : null;
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
  },
  {
    // "Chocolate is my absolute favourite", "Jazz is my thing", "Reading is my favourite way to relax".
    pattern:
      /^(?:(?:and|also|but|honestly|oh)[,\s]+)?((?:[\p{L}'-]+\s+){0,3}?[\p{L}'-]+)\s+(?:is|are|has to be|'s)\s+(?:my|our)\s+(?:absolute\s+|all[- ]time\s+|number one\s+|total\s+|ultimate\s+|real\s+)?(?:favou?rite|fave|fav|thing|jam|weakness|guilty pleasure)\b/giu,
    build: (m, _rest, s) => {
      const topic = subjectTopic(m[1]!);
      if (isVague(topic) || /^(?:it|that|this|he|she|they|which|who|what|there|here|mine|yours)\b/i.test(topic))
        return [];
      return tasteFacts(s, 'love', topic, 1, 'state');
    },
  },
  {
    // "My favourite colour is green", "my favourite team is Arsenal".
    pattern:
      /\bmy\s+(?:absolute\s+|all[- ]time\s+)?(?:favou?rite|fave|fav)\s+(?:([\p{L}-]+(?:\s+[\p{L}-]+)?)\s+)?(?:is|are|has to be|would be|'s)\s+/giu,
    build: (m, rest, s) => {
      const topic = tasteTopic(rest, { list: false });
      if (!topic) return [];
      const what = m[1]?.toLowerCase();
      const key = topicKey(topic);
      const base = fact({
        slot: `like:${key}`,
        kind: 'like',
        category: 'preference',
        you: what ? `Your favourite ${what} is ${topic}.` : `Your favourite is ${topic}.`,
        they: what ? `${whose(s)} favourite ${what} is ${topic}.` : `${whose(s)} favourite is ${topic}.`,
        value: key,
        reason: `loves ${topic}`,
      });
      return [{ ...base, topic }];
    },
  },
  {
    pattern: new RegExp(
      String.raw`\b${SUBJECT_BE}\s+(?:more\s+of\s+|definitely\s+|totally\s+|such\s+|a\s+big\s+)?an?\s+([\p{L}]+)\s+person\b`,
      'giu',
    ),
    build: (m, _rest, s) => personTaste(s, m[1]!, 1),
  },
  {
    // "I'm a big coffee drinker".
    pattern:
      /\bi(?:'m| am)\s+an?\s+(?:big|huge|massive|keen|avid|serious|real)\s+((?:[\p{L}-]+\s+){1,2}?)(?:drinker|eater|lover|fan|nerd|geek|enthusiast|addict|fiend)\b/giu,
    build: (m, _rest, s) => {
      const topic = m[1]!.trim();
      return topic && !isVague(topic) ? tasteFacts(s, 'love', topic, 1, 'state') : [];
    },
  },
  {
    // "Tea over coffee any day."
    pattern: /^([\p{L}' -]{2,30}?)\s+over\s+([\p{L}' -]{2,30}?)\s+(?:any day|every time|every day|all day|always)\b/giu,
    build: (m, _rest, s) => {
      const [liked, replaced] = [m[1]!.trim(), m[2]!.trim()];
      if (isVague(liked) || /^(?:game|it's|its|all|hand|come)\b/i.test(liked)) return [];
      return tasteFacts(s, 'prefer', liked, 1, 'switch', { liked, replaced });
    },
  },
];

export const TASTE_PATTERNS: Pattern[] = [...removals, ...dislikes, ...likes];
