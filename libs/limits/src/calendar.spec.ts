import { secondsToNextUtcDay, secondsToNextUtcMonth, utcDayOf, utcMonthTagOf } from './calendar';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('UTC calendar', () => {
  it('names months across year ends and leap days', () => {
    expect(utcMonthTagOf(at('2024-02-29T23:59:59Z'))).toBe(202402);
    expect(utcMonthTagOf(at('2024-03-01T00:00:00Z'))).toBe(202403);
    expect(utcMonthTagOf(at('1999-12-31T23:59:59Z'))).toBe(199912);
    expect(utcMonthTagOf(at('2000-01-01T00:00:00Z'))).toBe(200001);
  });

  it('counts seconds to the next UTC midnight and month', () => {
    expect(secondsToNextUtcDay(at('2024-03-31T23:59:58Z'))).toBe(2);
    expect(secondsToNextUtcDay(at('2024-03-31T00:00:00Z'))).toBe(86_400);
    expect(secondsToNextUtcMonth(at('2024-03-31T23:59:58Z'))).toBe(2);
    expect(secondsToNextUtcMonth(at('2024-02-01T00:00:00Z'))).toBe(29 * 86_400);
    expect(utcDayOf(at('1970-01-02T00:00:00Z'))).toBe(1);
  });
});
