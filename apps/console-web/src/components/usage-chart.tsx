import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCount } from './format';

/** Calls of one UTC day, by operation (operations without calls that day are 0). */
export interface DayOfCalls {
  day: string;
  calls: Record<string, number>;
}

/** Colours that keep 3:1 contrast against white and stay apart for the common colour-vision deficiencies. */
const OPERATION_COLOURS = ['#0a58ca', '#b35900', '#1a7f37', '#8250df', '#b3261e', '#57606a'];

/**
 * "Usage by day": stacked bars of calls per day by operation. The figure is named by its caption; the drawing is
 * one image with a sentence summary (the tables beside it carry the numbers for keyboard and screen readers).
 */
export function UsageByDayChart({ days, operations }: { days: DayOfCalls[]; operations: string[] }) {
  const summaryId = useId();
  const rows = days.map(({ day, calls }) => ({ day, ...Object.fromEntries(operations.map((operation) => [operation, calls[operation] ?? 0])) }));
  const total = days.reduce((sum, { calls }) => sum + Object.values(calls).reduce((a, b) => a + b, 0), 0);
  const busiest = days.reduce<DayOfCalls | null>((best, day) => (sumOf(day) > (best ? sumOf(best) : 0) ? day : best), null);
  return (
    <figure className="usage-chart">
      <figcaption>Usage by day</figcaption>
      <div role="img" aria-label="Usage by day" aria-describedby={summaryId} className="usage-chart-drawing">
        <ResponsiveContainer width="100%" height={280}>
          {/* No keyboard layer: the drawing is one image to assistive technology; the tables hold the numbers. */}
          <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tickFormatter={(day: string) => day.slice(5)} minTickGap={12} />
            <YAxis allowDecimals={false} width={48} />
            <Tooltip formatter={(value) => formatCount(Number(value), 'call')} labelFormatter={(day) => `${String(day)} (UTC)`} />
            <Legend />
            {operations.map((operation, index) => (
              <Bar key={operation} dataKey={operation} name={operation} stackId="calls" fill={OPERATION_COLOURS[index % OPERATION_COLOURS.length]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <p id={summaryId} className="visually-hidden">
        {formatCount(total, 'call')} over {formatCount(days.length, 'day')}
        {busiest ? `; the busiest day was ${busiest.day} with ${formatCount(sumOf(busiest), 'call')}` : ''}.
      </p>
    </figure>
  );
}

function sumOf(day: DayOfCalls): number {
  return Object.values(day.calls).reduce((a, b) => a + b, 0);
}
