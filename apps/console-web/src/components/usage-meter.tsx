import { percentOf } from './format';

interface UsageMeterProps {
  /** The meter's accessible name, e.g. "Units this month". */
  label: string;
  value: number;
  /** The limit; null when there is none (then no bar, only the value). */
  max: number | null;
  /** How value and max read as text, with units, e.g. "1,234 of 10,000 units". */
  valueText: string;
}

/** A bar of use against a limit with the same numbers in words beside it (the bar alone says nothing to a screen reader). */
export function UsageMeter({ label, value, max, valueText }: UsageMeterProps) {
  const percent = max === null ? null : percentOf(value, max);
  return (
    <div className="usage-meter">
      <p className="usage-meter-text">{valueText}</p>
      {percent !== null && max !== null ? (
        <div
          className={percent >= 90 ? 'bar bar-warning' : 'bar'}
          role="meter"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={max}
          aria-valuenow={Math.min(value, max)}
          aria-valuetext={valueText}
        >
          <span style={{ width: `${percent}%` }} />
        </div>
      ) : null}
    </div>
  );
}
