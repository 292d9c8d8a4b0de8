import { describe, expect, it } from 'vitest';
import { periodWindow } from '../src/quotas/periods.js';

describe('quota periods in the tenant’s time zone', () => {
  it('resets days at local midnight', () => {
    const now = new Date('2026-11-24T23:30:00Z');
    expect(periodWindow('day', 'UTC', now)).toEqual({ key: '2026-11-24', resetsAt: new Date('2026-11-25T00:00:00Z') });
    // Already the 25th in Tokyo (UTC+9): resets at 2026-11-26 00:00 JST = 25th 15:00 UTC.
    expect(periodWindow('day', 'Asia/Tokyo', now)).toEqual({
      key: '2026-11-25',
      resetsAt: new Date('2026-11-25T15:00:00Z'),
    });
    // Still the 24th in New York (UTC-5 in November).
    expect(periodWindow('day', 'America/New_York', now)).toEqual({
      key: '2026-11-24',
      resetsAt: new Date('2026-11-25T05:00:00Z'),
    });
  });

  it('handles daylight-saving changes', () => {
    // Europe/Berlin leaves summer time on 2026-10-25: that day is 25 hours long.
    const window = periodWindow('day', 'Europe/Berlin', new Date('2026-10-25T12:00:00Z'));
    expect(window).toEqual({ key: '2026-10-25', resetsAt: new Date('2026-10-25T23:00:00Z') });
    expect(periodWindow('day', 'Europe/Berlin', new Date('2026-10-24T12:00:00Z')).resetsAt).toEqual(
      new Date('2026-10-24T22:00:00Z'),
    );
  });

  it('uses ISO weeks starting on Monday and calendar months', () => {
    expect(periodWindow('week', 'UTC', new Date('2026-11-24T10:00:00Z'))).toEqual({
      key: '2026-W48',
      resetsAt: new Date('2026-11-30T00:00:00Z'),
    });
    expect(periodWindow('week', 'UTC', new Date('2027-01-01T10:00:00Z')).key).toBe('2026-W53');
    expect(periodWindow('month', 'UTC', new Date('2026-12-31T23:59:59Z'))).toEqual({
      key: '2026-12',
      resetsAt: new Date('2027-01-01T00:00:00Z'),
    });
    expect(periodWindow('month', 'Asia/Tokyo', new Date('2026-12-31T16:00:00Z')).key).toBe('2027-01');
  });
});
