import type { ReactNode } from 'react';

/**
 * A wide table's horizontal scroller (at 360 px most tables are wider than the screen). It is a named region in
 * the tab order, so the keyboard can scroll it too (axe: scrollable-region-focusable).
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
