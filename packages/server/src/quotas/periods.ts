export type QuotaPeriod = 'day' | 'week' | 'month';

export interface PeriodWindow {
  /** Stable key of the current period in the tenant's time zone: `2026-11-24`, `2026-W48`, `2026-11`. */
  key: string;
  /** When the next period starts (the quota resets). */
  resetsAt: Date;
}

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

// Building an Intl.DateTimeFormat costs far more than using one: keep one per time zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function formatFor(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat) {
  let format = cache.get(timeZone);
  if (!format) {
    format = make();
    cache.set(timeZone, format);
  }
  return format;
}

function localDate(at: Date, timeZone: string): LocalDate {
  const parts = formatFor(
    dateFormats,
    timeZone,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** Offset of `timeZone` from UTC at `at`, in ms (positive east of Greenwich). */
function offsetMs(at: Date, timeZone: string): number {
  const parts = formatFor(
    offsetFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      }),
  ).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant local midnight of (year, month, day) happens in `timeZone` (DST-safe). */
function localMidnight(date: LocalDate, timeZone: string): Date {
  const guess = Date.UTC(date.year, date.month - 1, date.day);
  let instant = guess - offsetMs(new Date(guess), timeZone);
  instant = guess - offsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The last window computed per period and time zone, with the instant it was computed for. */
const recentWindows = new Map<string, { from: number; window: PeriodWindow }>();

/**
 * The quota period containing `now` in the tenant's time zone, and when it resets. Every
 * message asks for it, so the last window per period and zone is kept: it holds for any `now`
 * from the instant it was computed for until it resets.
 */
export function periodWindow(period: QuotaPeriod, timeZone: string, now: Date): PeriodWindow {
  const cacheKey = `${period} ${timeZone}`;
  const at = now.getTime();
  const recent = recentWindows.get(cacheKey);
  if (recent && recent.from <= at && at < recent.window.resetsAt.getTime()) return recent.window;
  const window = computeWindow(period, timeZone, now);
  if (recentWindows.size > 1000) recentWindows.clear();
  recentWindows.set(cacheKey, { from: at, window });
  return window;
}

function computeWindow(period: QuotaPeriod, timeZone: string, now: Date): PeriodWindow {
  const today = localDate(now, timeZone);
  if (period === 'day') {
    return {
      key: `${today.year}-${pad(today.month)}-${pad(today.day)}`,
      resetsAt: localMidnight(addDays(today, 1), timeZone),
    };
  }
  if (period === 'month') {
    const next =
      today.month === 12
        ? { year: today.year + 1, month: 1, day: 1 }
        : { year: today.year, month: today.month + 1, day: 1 };
    return { key: `${today.year}-${pad(today.month)}`, resetsAt: localMidnight(next, timeZone) };
  }
  // ISO week: starts on Monday; its year is the year of its Thursday.
  const weekday = (new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7; // Monday = 0
  const monday = addDays(today, -weekday);
  const thursday = addDays(monday, 3);
  const jan4 = new Date(Date.UTC(thursday.year, 0, 4));
  const week1Monday = Date.UTC(thursday.year, 0, 4 - ((jan4.getUTCDay() + 6) % 7));
  const week = 1 + Math.round((Date.UTC(monday.year, monday.month - 1, monday.day) - week1Monday) / (7 * 86_400_000));
  return { key: `${thursday.year}-W${pad(week)}`, resetsAt: localMidnight(addDays(monday, 7), timeZone) };
}
