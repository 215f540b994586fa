/** One line of the privacy audit: a promise (P1…P12), whether the deployment keeps it, and why, in words. */
export interface AuditLine {
  status: 'PASS' | 'FAIL' | 'CANNOT CHECK';
  promise: string;
  text: string;
}

export const pass = (promise: string, text: string): AuditLine => ({ status: 'PASS', promise, text });
export const fail = (promise: string, text: string): AuditLine => ({ status: 'FAIL', promise, text });
export const cannotCheck = (promise: string, text: string): AuditLine => ({ status: 'CANNOT CHECK', promise, text });

/** A few examples of a list, and how many more there are: enough for an auditor to find them. */
export function examples(items: readonly string[], shown = 3): string {
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}

export function formatLine(line: AuditLine): string {
  return `${line.status} ${line.promise} ${line.text}`;
}

/** The closing line: how many checks passed, and whether the promises checked are all kept. */
export function summaryLine(lines: readonly AuditLine[]): string {
  const count = (status: AuditLine['status']) => lines.filter((line) => line.status === status).length;
  const failed = count('FAIL');
  const unchecked = count('CANNOT CHECK');
  if (failed === 0 && unchecked === 0) return `RESULT all ${lines.length} checks PASS`;
  return `RESULT ${count('PASS')} of ${lines.length} checks PASS, ${failed} FAIL, ${unchecked} CANNOT CHECK: not every promise checked is shown kept`;
}
