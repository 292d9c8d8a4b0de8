/**
 * Time expressions ("next week", "last Friday", "on 3 May") found in a message and resolved
 * against the message's own date, in UTC, so that a remembered plan or event keeps its meaning
 * later. Each resolves to a date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`; a week is its Monday, a
 * weekend its Saturday), the words shown to the visitor ("on 3 May 2025") and the words kept
 * for search ("on 2025-05-03").
 */

const list = (words: string): string[] => words.split('|');
const WEEKDAYS = list('sunday|monday|tuesday|wednesday|thursday|friday|saturday');
const MONTHS = list('january|february|march|april|may|june|july|august|september|october|november|december');
const FULL_WEEKDAY = `(?:${WEEKDAYS.join('|')})`;
/** A day of the week, also as "Tues" or "Sat" (after "last", "next", "this" or "on" only). */
const WEEKDAY = String.raw`(?:sun|mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?)(?:day)?`;
const PART_OF_DAY = String.raw`(?:\s+(?:morning|afternoon|evening|night|lunchtime|lunch))?`;
/** A month by name; "may" only as a month beside a day number or after "in". */
const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const DAY_NUMBER = String.raw`(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?`;
/** "3 May", "the 3rd of May", "May 3rd", "May 3, 2026", "the 22nd". */
const CALENDAR_DATE = String.raw`(?:(?:the\s+)?${DAY_NUMBER}(?:\s+of)?\s+${MONTH}\b(?:,?\s+\d{4})?|${MONTH}\s+(?:the\s+)?${DAY_NUMBER}\b(?:,?\s+\d{4})?|the\s+(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b)`;

/** A time ahead of the message ("tomorrow", "in two weeks", "on 3 May"). */
export const FUTURE_TIME = new RegExp(
  String.raw`\b(?:(?:on|from|by|until)\s+)?(?:${CALENDAR_DATE}|tomorrow${PART_OF_DAY}|tonight|today|this (?:morning|afternoon|evening|weekend|week|month|year|summer|winter|spring|autumn|fall)|(?:for|over) the weekend|in the (?:summer|winter|spring|autumn|fall)|next (?:week|weekend|month|year|summer|winter|spring|autumn|fall|${WEEKDAY})${PART_OF_DAY}|(?:(?:this|on) ${WEEKDAY}|${FULL_WEEKDAY})${PART_OF_DAY}|in (?:${MONTHS.join('|')})|in (?:\d+|a|an|one|two|three|four|five|six) (?:days?|weeks?|months?|years?)|soon|later this (?:week|month|year))\b`,
  'i',
);
/** A time before the message ("yesterday", "last Friday", "two weeks ago"). */
export const PAST_TIME = new RegExp(
  String.raw`\b(?:yesterday|last night|last week|last weekend|last month|last year|this morning|earlier today|today|last ${WEEKDAY}|(?:a|one|two|three|four|five|six|a few|a couple of|\d+) (?:days?|weeks?|months?|years?) ago)\b`,
  'i',
);

export interface ResolvedTime {
  /** `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, when the expression names one. */
  date?: string;
  /** Shown to the visitor: "on 3 May 2025", "in the week of 10 March 2025". */
  words: string;
  /** Kept for search, as the extractor always wrote it: "on 2025-05-03". */
  canonical: string;
}

const DAY = 86_400_000;
const COUNTS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
const isoMonth = (d: Date): string => d.toISOString().slice(0, 7);
const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * DAY);
const mondayOf = (d: Date): Date => addDays(d, -((d.getUTCDay() + 6) % 7));
const monthStart = (d: Date, offset: number): Date =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
export const monthYear = (d: Date): string => `${capitalize(MONTHS[d.getUTCMonth()]!)} ${d.getUTCFullYear()}`;
/** "3 May 2025". */
export const dayWords = (d: Date): string => `${d.getUTCDate()} ${monthYear(d)}`;

const day = (d: Date, on = 'on'): ResolvedTime => ({
  date: isoDate(d),
  words: `${on} ${dayWords(d)}`,
  canonical: `on ${isoDate(d)}`,
});
const week = (monday: Date): ResolvedTime => ({
  date: isoDate(monday),
  words: `in the week of ${dayWords(monday)}`,
  canonical: `in the week of ${isoDate(monday)}`,
});
const weekend = (saturday: Date): ResolvedTime => ({
  date: isoDate(saturday),
  words: `on the weekend of ${dayWords(saturday)}`,
  canonical: `on the weekend of ${isoDate(saturday)}`,
});
const month = (first: Date): ResolvedTime => ({
  date: isoMonth(first),
  words: `in ${monthYear(first)}`,
  canonical: `in ${monthYear(first)}`,
});
const year = (y: number): ResolvedTime => ({ date: String(y), words: `in ${y}`, canonical: `in ${y}` });

/** The weekday the expression ends with ("next tues" → 2), or -1. */
function weekdayIn(e: string): number {
  const last = e.split(' ').at(-1)!;
  return new RegExp(`^${WEEKDAY}$`).test(last) ? WEEKDAYS.findIndex((d) => d.startsWith(last.slice(0, 3))) : -1;
}

/** "3 May", "May 3rd 2026", "the 22nd" as a date; `ahead` picks the next one, else the last. */
function calendarDate(e: string, at: Date, ahead: boolean): Date | undefined {
  const named = new RegExp(
    `(?:(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+(${MONTH})|(${MONTH})\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?)(?:,?\\s+(\\d{4}))?`,
  ).exec(e);
  const alone = /\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b/.exec(e);
  if (!named && !alone) return undefined;
  const dayOfMonth = Number(named ? (named[1] ?? named[4]) : alone![1]);
  const monthIndex = named
    ? MONTHS.findIndex((m) => m.startsWith((named[2] ?? named[3])!.slice(0, 3)))
    : at.getUTCMonth();
  const explicitYear = named?.[5] ? Number(named[5]) : undefined;
  let date = new Date(Date.UTC(explicitYear ?? at.getUTCFullYear(), monthIndex, dayOfMonth));
  if (explicitYear === undefined) {
    const today = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
    const step = named ? { years: 1, months: 0 } : { years: 0, months: 1 };
    if (ahead && date.getTime() < today) date = shift(date, step, 1);
    if (!ahead && date.getTime() > today) date = shift(date, step, -1);
  }
  return date;
}

function shift(d: Date, step: { years: number; months: number }, sign: 1 | -1): Date {
  return new Date(
    Date.UTC(d.getUTCFullYear() + sign * step.years, d.getUTCMonth() + sign * step.months, d.getUTCDate()),
  );
}

/** "next week" → the week of 2025-03-10, against the message's date. */
export function resolveFutureTime(expression: string, at: Date): ResolvedTime {
  const e = expression
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^(?:on|from|by|until) /, '')
    .replace(/ (?:morning|afternoon|evening|night|lunchtime|lunch)$/, '')
    .trim();
  const weekday = weekdayIn(e);
  const monthIndex = MONTHS.findIndex((m) => e === `in ${m}`);
  const amount = /^in (\S+) (day|week|month|year)s?$/.exec(e);
  const season = /^(this|next|in the) (summer|winter|spring|autumn|fall)$/.exec(e);
  const calendar = calendarDate(e, at, true);
  if (calendar) return day(calendar);
  if (e === 'tomorrow') return day(addDays(at, 1));
  if (e === 'today' || e === 'tonight' || /^this (?:morning|afternoon|evening)$/.test(e)) return day(at);
  if (/^(?:this|next|for the|over the) weekend$/.test(e)) {
    return weekend(addDays(at, ((6 - at.getUTCDay() + 7) % 7) + (e === 'next weekend' ? 7 : 0)));
  }
  if (e === 'this week') return week(mondayOf(at));
  if (e === 'next week') return week(addDays(mondayOf(at), 7));
  if (e === 'this month' || e === 'later this month') return month(monthStart(at, 0));
  if (e === 'next month') return month(monthStart(at, 1));
  if (e === 'this year' || e === 'later this year') return year(at.getUTCFullYear());
  if (e === 'next year') return year(at.getUTCFullYear() + 1);
  if (weekday !== -1) return day(addDays(at, (weekday - at.getUTCDay() + 7) % 7 || 7));
  if (monthIndex !== -1)
    return month(new Date(Date.UTC(at.getUTCFullYear() + (monthIndex < at.getUTCMonth() ? 1 : 0), monthIndex, 1)));
  if (amount) {
    const n = Number(amount[1]) || COUNTS[amount[1]!] || 1;
    if (amount[2] === 'day') return day(addDays(at, n));
    if (amount[2] === 'week') return week(mondayOf(addDays(at, 7 * n)));
    if (amount[2] === 'month') return month(monthStart(at, n));
    return year(at.getUTCFullYear() + n);
  }
  if (season) {
    const when = `in ${season[2]} ${at.getUTCFullYear() + (season[1] === 'next' ? 1 : 0)}`;
    return { words: when, canonical: when };
  }
  return { words: `${e} (as of ${dayWords(at)})`, canonical: `${e} (as of ${isoDate(at)})` };
}

/** "yesterday" → 2025-03-03, against the message's date. */
export function resolvePastTime(expression: string, at: Date): ResolvedTime {
  const e = expression.toLowerCase().replace(/\s+/g, ' ').trim();
  const weekday = /^last \S+$/.test(e) ? weekdayIn(e) : -1;
  const ago = /^(\S+|a few|a couple of) (day|week|month|year)s? ago$/.exec(e);
  const calendar = calendarDate(e, at, false);
  const capital = (t: ResolvedTime): ResolvedTime => ({
    ...t,
    words: capitalize(t.words),
    canonical: capitalize(t.canonical),
  });
  if (calendar) return capital(day(calendar));
  if (e === 'today' || e === 'this morning' || e === 'earlier today') return capital(day(at));
  if (e === 'yesterday' || e === 'last night') return capital(day(addDays(at, -1)));
  if (e === 'recently') return { words: `Shortly before ${dayWords(at)}`, canonical: `Shortly before ${isoDate(at)}` };
  if (e === 'last week') return capital(week(addDays(mondayOf(at), -7)));
  if (e === 'last weekend') return capital(weekend(addDays(at, -((at.getUTCDay() + 1) % 7 || 7))));
  if (e === 'last month') return capital(month(monthStart(at, -1)));
  if (e === 'last year') return capital(year(at.getUTCFullYear() - 1));
  if (weekday !== -1) return capital(day(addDays(at, -((at.getUTCDay() - weekday + 7) % 7 || 7))));
  if (ago) {
    const n = Number(ago[1]) || COUNTS[ago[1]!] || (ago[1] === 'a few' ? 3 : 2);
    if (ago[2] === 'day') return capital(day(addDays(at, -n)));
    if (ago[2] === 'week') return capital(week(mondayOf(addDays(at, -7 * n))));
    if (ago[2] === 'month') return capital(month(monthStart(at, -n)));
    return capital(year(at.getUTCFullYear() - n));
  }
  return { words: `Before ${dayWords(at)}`, canonical: `Before ${isoDate(at)}` };
}

/** "by 4 March 2025": when something had happened by, the message's own date. */
export function byThen(at: Date): ResolvedTime {
  return { date: isoDate(at), words: `by ${dayWords(at)}`, canonical: `by ${isoDate(at)}` };
}

/** "next week" → "in the week of 2025-03-10" (the words kept for search). */
export function resolveFuture(expression: string, at: Date): string {
  return resolveFutureTime(expression, at).canonical;
}

/** "yesterday" → "On 2025-03-03" (the words kept for search). */
export function resolvePast(expression: string, at: Date): string {
  return resolvePastTime(expression, at).canonical;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
