/**
 * Relative time expressions ("next week", "last Friday") found in a message and resolved against
 * the message's own date, in UTC, so that a remembered plan or event keeps its meaning later.
 */

const list = (words: string): string[] => words.split('|');
const WEEKDAYS = list('sunday|monday|tuesday|wednesday|thursday|friday|saturday');
const MONTHS = list('january|february|march|april|may|june|july|august|september|october|november|december');
/** A time ahead of the message ("tomorrow", "in two weeks"). */
export const FUTURE_TIME = new RegExp(
  String.raw`\b(?:tomorrow|tonight|today|this (?:morning|afternoon|evening|weekend|week|month|year|summer|winter|spring|autumn|fall)|next (?:week|weekend|month|year|summer|winter|spring|autumn|fall|${WEEKDAYS.join('|')})|(?:on |this )?(?:${WEEKDAYS.join('|')})|in (?:${MONTHS.join('|')})|in (?:\d+|a|an|one|two|three|four|five|six) (?:days?|weeks?|months?|years?)|soon|later this (?:week|month|year))\b`,
  'i',
);
/** A time before the message ("yesterday", "last Friday"). */
export const PAST_TIME = new RegExp(
  String.raw`\b(?:yesterday|last night|last week|last weekend|last month|last year|this morning|earlier today|today|last (?:${WEEKDAYS.join('|')}))\b`,
  'i',
);

const DAY = 86_400_000;
const COUNTS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * DAY);
const mondayOf = (d: Date): Date => addDays(d, -((d.getUTCDay() + 6) % 7));
const monthStart = (d: Date, offset: number): Date =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
export const monthYear = (d: Date): string => `${capitalize(MONTHS[d.getUTCMonth()]!)} ${d.getUTCFullYear()}`;

/** "next week" → "in the week of 2025-03-10", against the message's date. */
export function resolveFuture(expression: string, at: Date): string {
  const e = expression.toLowerCase().replace(/\s+/g, ' ');
  const weekday = WEEKDAYS.findIndex((d) => e.endsWith(d));
  const month = MONTHS.findIndex((m) => e === `in ${m}`);
  const amount = /^in (\S+) (day|week|month|year)s?$/.exec(e);
  const season = /^(this|next) (summer|winter|spring|autumn|fall)$/.exec(e);
  if (e === 'tomorrow') return `on ${isoDate(addDays(at, 1))}`;
  if (e === 'today' || e === 'tonight' || /^this (?:morning|afternoon|evening)$/.test(e)) return `on ${isoDate(at)}`;
  if (e === 'this weekend' || e === 'next weekend') {
    const saturday = addDays(at, ((6 - at.getUTCDay() + 7) % 7) + (e === 'next weekend' ? 7 : 0));
    return `on the weekend of ${isoDate(saturday)}`;
  }
  if (e === 'this week') return `in the week of ${isoDate(mondayOf(at))}`;
  if (e === 'next week') return `in the week of ${isoDate(addDays(mondayOf(at), 7))}`;
  if (e === 'this month' || e === 'later this month') return `in ${monthYear(at)}`;
  if (e === 'next month') return `in ${monthYear(monthStart(at, 1))}`;
  if (e === 'this year' || e === 'later this year') return `in ${at.getUTCFullYear()}`;
  if (e === 'next year') return `in ${at.getUTCFullYear() + 1}`;
  if (weekday !== -1) {
    const ahead = (weekday - at.getUTCDay() + 7) % 7 || 7;
    return `on ${isoDate(addDays(at, ahead))}`;
  }
  if (month !== -1)
    return `in ${capitalize(MONTHS[month]!)} ${at.getUTCFullYear() + (month < at.getUTCMonth() ? 1 : 0)}`;
  if (amount) {
    const n = Number(amount[1]) || COUNTS[amount[1]!] || 1;
    if (amount[2] === 'day') return `on ${isoDate(addDays(at, n))}`;
    if (amount[2] === 'week') return `in the week of ${isoDate(mondayOf(addDays(at, 7 * n)))}`;
    if (amount[2] === 'month') return `in ${monthYear(monthStart(at, n))}`;
    return `in ${at.getUTCFullYear() + n}`;
  }
  if (season) return `in ${season[2]} ${at.getUTCFullYear() + (season[1] === 'next' ? 1 : 0)}`;
  return `${e} (as of ${isoDate(at)})`;
}

/** "yesterday" → "On 2025-03-03", against the message's date. */
export function resolvePast(expression: string, at: Date): string {
  const e = expression.toLowerCase().replace(/\s+/g, ' ');
  const weekday = WEEKDAYS.findIndex((d) => e === `last ${d}`);
  if (e === 'today' || e === 'this morning' || e === 'earlier today') return `On ${isoDate(at)}`;
  if (e === 'yesterday' || e === 'last night') return `On ${isoDate(addDays(at, -1))}`;
  if (e === 'recently') return `Shortly before ${isoDate(at)}`;
  if (e === 'last week') return `In the week of ${isoDate(addDays(mondayOf(at), -7))}`;
  if (e === 'last weekend') return `On the weekend of ${isoDate(addDays(at, -((at.getUTCDay() + 1) % 7 || 7)))}`;
  if (e === 'last month') return `In ${monthYear(monthStart(at, -1))}`;
  if (e === 'last year') return `In ${at.getUTCFullYear() - 1}`;
  if (weekday !== -1) return `On ${isoDate(addDays(at, -((at.getUTCDay() - weekday + 7) % 7 || 7)))}`;
  return `Before ${isoDate(at)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
