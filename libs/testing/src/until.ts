/** Polls `condition` until it holds; fails naming `what` when it has not within `timeoutMs`. */
export async function until(
  condition: () => Promise<boolean>,
  { what, timeoutMs = 10_000, intervalMs = 20 }: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
