/**
 * Words the heuristic extractor's patterns share: vocabularies (jobs, relations, pets, diets,
 * foods…), how a phrase is cut out of the rest of a sentence, and how the visitor's words are
 * turned to the second person (shown to them) and the third person (searched).
 */
import { normalizeMemoryText } from './extraction-types.js';

const list = (words: string): string[] => words.trim().split(/\s*\|\s*/);

/** Words for the visitor's partner (one partner slot, whatever the word). */
export const PARTNER = /\b(?:wife|husband|partner|girlfriend|boyfriend|fianc[ée]e?|spouse)\b/i;

export const DIETS = list(
  'vegetarian|vegan|pescatarian|pescetarian|flexitarian|keto|paleo|halal|kosher|teetotal|plant-based|plant based|gluten-free|gluten free|dairy-free|dairy free|sugar-free|sugar free|low carb|low-carb|low fat|low-fat|lactose-free|raw vegan|carnivore',
);
export const DIET = new RegExp(`\\b(?:${DIETS.join('|')})\\b`, 'i');
export const CONDITIONS = list(
  'celiac|coeliac|diabetic|pregnant|deaf|blind|colou?r[- ]?blind|dyslexic|autistic|epileptic|disabled|a wheelchair user|wheelchair user|partially sighted|hard of hearing',
);
export const ILLNESSES = list(
  "type [12] diabetes|diabetes|asthma|adhd|autism|celiac disease|coeliac disease|epilepsy|migraines|anxiety|depression|arthritis|high blood pressure|long covid|ibs|crohn's|crohns|a heart condition|a pacemaker",
);
export const JOBS = list(
  `teacher|headteacher|nurse|doctor|gp|engineer|developer|programmer|designer|lawyer|solicitor|barrister|paralegal|accountant|bookkeeper|auditor|actuary|architect|artist|writer|copywriter|author|journalist|reporter|chef|cook|baker|butcher|florist|hairdresser|barber|beautician|student|scientist|researcher|postdoc|professor|lecturer|manager|consultant|analyst|pharmacist|dentist|hygienist|surgeon|physician|therapist|physiotherapist|physio|psychologist|psychiatrist|counsellor|counselor|paramedic|firefighter|fireman|police officer|policeman|policewoman|detective|pilot|flight attendant|driver|courier|postman|postwoman|mechanic|electrician|plumber|carpenter|joiner|builder|roofer|bricklayer|welder|gardener|landscaper|decorator|painter|farmer|photographer|videographer|filmmaker|illustrator|animator|musician|singer|pianist|guitarist|drummer|composer|dj|actor|actress|comedian|dancer|waiter|waitress|bartender|barista|cashier|shop assistant|shopkeeper|salesperson|sales rep|estate agent|realtor|entrepreneur|founder|co-founder|cofounder|ceo|cto|cfo|executive|director|freelancer|translator|interpreter|librarian|curator|archivist|veterinarian|vet|soldier|sailor|nanny|childminder|babysitter|au pair|receptionist|secretary|administrator|editor|publisher|producer|coach|trainer|instructor|tutor|teaching assistant|economist|banker|broker|recruiter|intern|apprentice|trainee|retiree|homemaker|housewife|stay-at-home mum|stay-at-home mom|stay-at-home dad|stay-at-home parent|social worker|carer|caregiver|care worker|midwife|surveyor|cleaner|housekeeper|caretaker|janitor|security guard|civil servant|software engineer|web developer|data scientist|project manager|product manager|optician|optometrist|radiographer|chiropractor|zookeeper|tailor|jeweller|jeweler|stylist|influencer|blogger|youtuber|streamer|podcaster|priest|vicar|pastor|rabbi|imam|chemist|biologist|physicist|mathematician|statistician|geologist|historian|caterer|sommelier|brewer|fisherman|miner|labourer|laborer|warehouse worker|factory worker|volunteer|personal trainer|yoga teacher|engineering student|medical student|law student|phd student`,
);
export const JOB = new RegExp(`\\b(?:${JOBS.join('|')})s?\\b`, 'i');
/** Fields of work: "I'm in marketing", "I work in IT". */
export const FIELDS = list(
  'marketing|sales|finance|banking|insurance|tech|it|hr|human resources|recruitment|retail|hospitality|healthcare|education|publishing|advertising|pr|law|consulting|construction|logistics|real estate|property|engineering|software|media|fashion|film|tv|television|journalism|research|academia|pharma|government|politics|accounting|catering|the army|the navy|the air force|the military|the police|the nhs|it support|customer service|admin|events|design|music|theatre|theater|nursing|social care|the civil service',
);
export const PEOPLE = list(
  'wife|husband|partner|girlfriend|boyfriend|fiancée|fiancee|fiancé|fiance|spouse|son|daughter|stepson|stepdaughter|kid|kids|child|children|baby|twins|boys|girls|mum|mom|mother|dad|father|parents|stepmum|stepmom|stepdad|brother|sister|siblings|grandma|grandmother|grandpa|grandfather|grandparents|granny|nan|nana|grandson|granddaughter|grandchild|grandchildren|grandkids|grandkid|aunt|auntie|uncle|niece|nephew|cousin|in-laws|mother-in-law|father-in-law|sister-in-law|brother-in-law|newborn|toddler|teenager|teen',
);
/** Relations a mention alone is worth remembering for ("my wife", not "my friend"). */
export const CLOSE = new Set(PEOPLE);
export const FRIENDS = list('friend|best friend|flatmate|roommate|housemate|neighbour|neighbor|colleague|boss');
export const PETS = list(
  'dog|cat|puppy|kitten|retriever|labrador|lab|spaniel|cocker spaniel|terrier|poodle|collie|border collie|dachshund|beagle|pug|husky|greyhound|whippet|lurcher|bulldog|chihuahua|corgi|schnauzer|labradoodle|cockapoo|cavapoo|german shepherd|sheepdog|hamster|rabbit|bunny|parrot|budgie|bird|horse|pony|turtle|tortoise|guinea pig|fish|goldfish|lizard|snake|gecko|ferret|chickens|hens|pet|dogs|cats|puppies|kittens|rabbits|guinea pigs',
);
export const KIN = `(?:${[...PEOPLE, ...FRIENDS, ...PETS]
  .sort((a, b) => b.length - a.length)
  .map((w) => w.replace('-', '[- ]'))
  .join('|')})`;

/** Foods and substances: what an allergy, an intolerance or a diet is about. */
export const FOODS = list(
  `nuts|nut|peanuts|peanut|tree nuts|walnuts|walnut|almonds|almond|hazelnuts|hazelnut|cashews|pecans|pistachios|gluten|wheat|dairy|milk|lactose|eggs|egg|soy|soya|sesame|shellfish|fish|seafood|prawns|shrimp|crab|lobster|mussels|celery|mustard|lupin|sulphites|sulfites|corn|meat|red meat|pork|beef|lamb|chicken|bacon|ham|gelatine|gelatin|alcohol|caffeine|coffee|sugar|refined sugar|carbs|bread|chocolate|cheese|butter|cream|garlic|onion|onions|tomatoes|strawberries|kiwi|bananas|citrus|spicy food|fried food|processed food|junk food|fodmaps|yeast|oats|rye|barley|fructose|msg`,
);
export const FOOD = `(?:${FOODS.sort((a, b) => b.length - a.length).join('|')})`;

export const NATIONALITIES: Record<string, string> = Object.fromEntries(
  list(
    'american:the US|canadian:Canada|mexican:Mexico|brazilian:Brazil|argentinian:Argentina|british:Britain|english:England|scottish:Scotland|welsh:Wales|irish:Ireland|french:France|german:Germany|dutch:the Netherlands|belgian:Belgium|swiss:Switzerland|austrian:Austria|italian:Italy|spanish:Spain|portuguese:Portugal|greek:Greece|turkish:Turkey|polish:Poland|czech:Czechia|hungarian:Hungary|romanian:Romania|ukrainian:Ukraine|russian:Russia|swedish:Sweden|norwegian:Norway|danish:Denmark|finnish:Finland|icelandic:Iceland|indian:India|pakistani:Pakistan|bangladeshi:Bangladesh|sri lankan:Sri Lanka|nepali:Nepal|chinese:China|japanese:Japan|korean:Korea|vietnamese:Vietnam|thai:Thailand|filipino:the Philippines|indonesian:Indonesia|malaysian:Malaysia|australian:Australia|kiwi:New Zealand|nigerian:Nigeria|ghanaian:Ghana|kenyan:Kenya|south african:South Africa|ethiopian:Ethiopia|egyptian:Egypt|moroccan:Morocco|lebanese:Lebanon|israeli:Israel|iranian:Iran|colombian:Colombia|chilean:Chile|peruvian:Peru|jamaican:Jamaica',
  ).map((pair) => pair.split(':') as [string, string]),
);

/**
 * Words that follow "I'm", "this is" or "it's" without being a name (checked lower-cased):
 * states, function words, days, greetings. Words ending in "-ing" are never names either.
 */
const NOT_NAMES = new Set(
  `a an the this that it its my your our his her their me you him them us we they i not no yes and but or so if then than too also just only even still very really quite rather pretty from to in on at by for with of about as into over under after before up down out off here there now then today tomorrow yesterday tonight again please thanks thank hi hello hey hiya sorry ok okay yeah yep nope well oh ah um hmm lol haha btw sure certain fine good great grand alright hungry thirsty tired sleepy exhausted full stuffed sick ill unwell poorly sad happy glad excited thrilled delighted pleased grateful thankful afraid scared worried nervous anxious stressed upset angry annoyed mad cross frustrated confused lost bored lonely busy free late early ready done back home new old young curious interested keen lucky blessed fortunate impressed amazed surprised shocked disappointed gutted obsessed addicted allergic intolerant single married engaged divorced widowed separated pregnant retired unemployed employed away outside inside nearby close near around kind sort bit little big huge real true right wrong serious sorry cool awesome bad terrible awful first last next same other alone aware able unable fond proud fed fat thin tall short strong weak hot cold warm fit healthy hopeless hopeful desperate stuck gay straight bi trans vegan vegetarian new nobody everybody somebody anybody someone everyone anyone noone nothing something everything anything guy girl man woman lady gentleman person customer regular newbie beginner lurker fan member parent human local foreigner tourist stranger monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december christmas easter halloween midnight noon morning afternoon evening night weekend week month year time it's that's what's there's here's who what where when why how which all both each every some any many much more most few less least one two three four five six seven eight nine ten exactly almost nearly basically literally honestly seriously technically generally personally actually definitely probably possibly maybe perhaps totally absolutely completely entirely mostly mainly partly slightly somewhat hardly barely still already ever never always often sometimes usually normally free open closed available wondering looking asking i'm i'd i'll i've we're you're it's that's let's there's here's later soon asap anytime whenever sometime crazy whatever mr mrs ms miss mx dr prof sir madam is are was were has have had does did will can could should says said loves likes hates`.split(
    /\s+/,
  ),
);

/** Whether `word` can be (part of) a person's name; `capitalised` says whether capitals must show it. */
export function isNameWord(word: string, options: { capitalised: boolean }): boolean {
  const lower = word.toLowerCase();
  if (!/^\p{L}[\p{L}'-]*$/u.test(word) || NOT_NAMES.has(lower) || lower in NATIONALITIES) return false;
  if (/.{3,}ing$/.test(lower) || JOB.test(lower) || DIET.test(lower) || FOOD_WORD.test(lower)) return false;
  return !options.capitalised || isCapitalized(word);
}
const FOOD_WORD = new RegExp(`^${FOOD}$`, 'i');

/** The subject of a sentence: "I", "we", "me and my wife", "my wife and I". */
export const SUBJECT = String.raw`(?:i|we|(?:me|my [\p{L}-]+) and (?:my [\p{L}-]+|i|me)|my [\p{L}-]+ and i)`;
/** The subject with its "be": "I'm", "we're", "my partner and I are". */
export const SUBJECT_BE = String.raw`(?:i'm|i am|we're|we are|(?:me|my [\p{L}-]+) and (?:my [\p{L}-]+|i|me) are|my [\p{L}-]+ and i are)`;

// ---------------------------------------------------------------------------------------------
// Phrases.

export const BOUNDARY =
  /[,.;:!?()]|\s(?:but|because|'cause|cause|since|though|although|when|while|whenever|so|which|who|if|unless|as well as|and then|and i|and my|except|and (?:it|it's|it'd|that|this|they|he|she|we|you|i'd|i'll|i've|i'm|so|then|there)|and (?:also |really )?(?:hate|love|like|dislike|enjoy|adore|prefer|can't|cannot|don't|am|have|work|live))\b|\s[-–—]\s|\p{Extended_Pictographic}/iu;
const LIST_BOUNDARY = new RegExp(BOUNDARY.source.replace('[,.', '[.'), 'iu');
const LIST_STOP =
  /^\s*(?:i|i'm|you|we|he|she|they|it|it's|that|this|but|so|because|which|especially|though|actually|really|even|as|like|just|not)\b/i;
/** Words a complete phrase does not end on: what is left when a clause was cut mid-way. */
const DANGLING =
  /\s+(?:and|or|but|nor|to|of|with|for|from|about|into|the|a|an|it|its|was|is|were|are|be|been|being|that|this|their|my|your|our|in|on|at|by|so|very|try|just|also)$/i;
const TRAILING =
  /\s+(?:so much|very much|a lot|a ton|too|really|now|anymore|any more|any longer|these days|nowadays|instead|lately|at the moment|right now|though|as well|more|the most|most|honestly|haha|lol|tbh|btw|fyi|obviously|always|everything|any day|every time|all day|to be honest|by the way|for sure|in general|one day|someday|some day|eventually|at some point|in the future|always have)$/i;

/**
 * The phrase at the start of `rest`, up to the end of its clause; undefined when longer than
 * `maxWords`. With `list`, "hiking, cooking and reading" is kept whole.
 */
export function phrase(rest: string, options: { maxWords?: number; list?: boolean } = {}): string | undefined {
  const cut = (options.list ? LIST_BOUNDARY : BOUNDARY).exec(rest);
  let p = (cut ? rest.slice(0, cut.index) : rest).trim();
  if (options.list) {
    const [first = '', ...others] = p.split(',');
    const items = [first];
    for (const other of others) {
      if (!other.trim() || other.trim().split(/\s+/).length > 4 || LIST_STOP.test(other)) break;
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

export function isVague(p: string): boolean {
  return (
    /^(?:it|that|this|them|those|these|him|her|what|how|when|where|which|everything|anything|something|nothing|everyone|anyone|someone|nobody|one|none|not|so|the (?:look|sound|idea|way|fact|thought)|to (?:think|say|believe|know|imagine|ask|see|hear|talk|chat|bother|interrupt|admit|hear))\b/i.test(
      p,
    ) || /\byou(?:rs)?\b/i.test(p)
  );
}

/** "hiking, cooking and reading" → three topics; "mac and cheese" stays one unless `nouns`. */
export function splitList(p: string, nouns = false): string[] {
  const comma = p.includes(',');
  const parts = p.split(comma ? /\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+/i : /\s+(?:and|or|&)\s+/i);
  // Without commas, "and" joins things only when each is short and of a kind: "cats and dogs".
  const plural = (x: string) => /(?:\S{2,}ing|[^s\s]{2,}s)$/i.test(x.trim()) && x.trim().split(/\s+/).length <= 3;
  // …or when each is a phrase of its own: "historical fiction and anything by Hilary Mantel", not
  // "black and white films" or "peanut butter and jelly".
  const phrases = (x: string) => /^\S+(?:\s+\S+){1,3}$/.test(x.trim());
  const ok = parts.length > 1 && (comma || nouns || parts.every(plural) || parts.every(phrases));
  return (ok ? parts : [p]).map((x) => x.trim()).filter(Boolean);
}

/** "your croissants" (the avatar's) → "croissants"; "a good Victoria sponge" → "Victoria sponge". */
export function bareTopic(p: string): string {
  return p.replace(/^(?:your|the|a|an|some)\s+(?:(?:good|nice|proper|decent|great|lovely)\s+)?/i, '').trim();
}

// ---------------------------------------------------------------------------------------------
// Persons.

/** The visitor's words for the visitor: "my mum" → "your mum", "I'm" → "you're". */
export function secondPerson(p: string): string {
  return p
    .replace(/\bmyself\b/gi, 'yourself')
    .replace(/\bmine\b/gi, 'yours')
    .replace(/\b(?:my|our)\b/gi, 'your')
    .replace(/\b(?:me|us)\b/gi, 'you')
    .replace(/\bi(?:'m| am)\b/gi, "you're")
    .replace(/\bi(?:'ve| have)\b/gi, "you've")
    .replace(/\b(?:i|we)\b/gi, 'you');
}

/** The visitor's words as said of them: "my mum" → "their mum". */
export function thirdPerson(p: string): string {
  return p
    .replace(/\bmyself\b/gi, 'themselves')
    .replace(/\bmine\b/gi, 'theirs')
    .replace(/\b(?:my|our)\b/gi, 'their')
    .replace(/\b(?:me|us)\b/gi, 'them')
    .replace(/\bi(?:'m| am)\b/gi, 'they are')
    .replace(/\b(?:i|we)\b/gi, 'they');
}

/** How a topic is compared: lower case, no articles or possessives, plural `s` dropped. */
export function topicKey(p: string): string {
  return normalizeMemoryText(p)
    .replace(/^(?:(?:the|a|an|my|their|your|our|some|to)\s+)+/, '')
    .split(' ')
    .map(stem)
    .join(' ');
}

export function stem(word: string): string {
  return word.length > 3 && /[^s]s$/.test(word) ? word.slice(0, -1) : word;
}

/** "love" → "loves", "watch" → "watches", "don't like" → "doesn't like", "am into" → "is into". */
export function conjugate(verb: string): string {
  const v = verb.toLowerCase().replace(/\s+/g, ' ');
  if (/^(?:'m|am)\b/.test(v)) return v.replace(/^(?:'m|am)/, 'is');
  if (/^(?:don't|do not)\b/.test(v)) return v.replace(/^(?:don't|do not)/, "doesn't");
  if (/^(?:cannot|can't)\b/.test(v)) return v.replace(/^cannot/, "can't");
  return /(?:ch|sh|s|x|o)$/.test(v) ? `${v}es` : `${v}s`;
}

/** The verb as said to the visitor: "am into" → "'re into", "don't like" stays. */
export function yourVerb(verb: string): string {
  const v = verb.toLowerCase().replace(/\s+/g, ' ');
  return /^(?:'m|am)\b/.test(v) ? v.replace(/^(?:'m|am)/, 'are') : v.replace(/^cannot/, "can't");
}

export function isCapitalized(word: string): boolean {
  return word.charAt(0) !== word.charAt(0).toLowerCase();
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "new york city" → "New York City"; a phrase with capitals of its own is kept. */
export function titleCase(p: string): string {
  return p === p.toLowerCase() && !/^the\b/.test(p) ? p.replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase()) : p;
}

export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

const NUMBER_WORDS = list('zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve');
/** "two" → 2, "12" → 12; NaN for anything else. */
export function numberOf(word: string): number {
  const lower = word.toLowerCase();
  const index = NUMBER_WORDS.indexOf(lower);
  if (index >= 0) return index;
  if (/^(?:a|an)$/.test(lower)) return 1;
  return /^\d+$/.test(lower) ? Number(lower) : Number.NaN;
}
export const COUNT = String.raw`(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})`;
