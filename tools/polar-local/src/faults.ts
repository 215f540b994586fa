import { invalid } from './http';

/** How the `/v1/...` routes misbehave, for testing clients: a 5xx, a 429 with Retry-After, or no answer at all. */
export type FaultMode =
  | { mode: 'none' }
  | { mode: 'status'; status: number }
  | { mode: 'rate-limit'; retryAfterSeconds: number }
  | { mode: 'hang' };

/** A fault that answers. */
export type Fault = Extract<FaultMode, { mode: 'status' } | { mode: 'rate-limit' }>;

/** The current fault; a request that arrives while it is 'hang' waits until the fault changes or the server closes. */
export class FaultSwitch {
  private readonly waiting = new Set<() => void>();
  private released = false;

  constructor(private mode: FaultMode) {}

  set(mode: FaultMode): void {
    this.mode = mode;
    if (mode.mode !== 'hang') this.wake();
  }

  /** Lets every hanging request go, unanswered: the server is closing. */
  release(): void {
    this.released = true;
    this.wake();
  }

  /** The fault to answer with, null for none, or 'dropped' when the request must go unanswered. */
  async current(): Promise<Fault | null | 'dropped'> {
    while (this.mode.mode === 'hang' && !this.released) await new Promise<void>((resolve) => this.waiting.add(resolve));
    if (this.released) return 'dropped';
    return this.mode.mode === 'none' || this.mode.mode === 'hang' ? null : this.mode;
  }

  private wake(): void {
    for (const resolve of this.waiting) resolve();
    this.waiting.clear();
  }
}

/** A FaultMode from a control request's JSON body, or Polar's 422. */
export function parseFaultMode(body: Record<string, unknown>): FaultMode {
  switch (body.mode) {
    case 'none':
    case 'hang':
      return { mode: body.mode };
    case 'status':
      if (typeof body.status === 'number' && Number.isInteger(body.status) && body.status >= 500 && body.status <= 599) {
        return { mode: 'status', status: body.status };
      }
      throw invalid(['body', 'status'], 'expected a 5xx status', body.status);
    case 'rate-limit':
      if (typeof body.retryAfterSeconds === 'number' && Number.isInteger(body.retryAfterSeconds) && body.retryAfterSeconds >= 0) {
        return { mode: 'rate-limit', retryAfterSeconds: body.retryAfterSeconds };
      }
      throw invalid(['body', 'retryAfterSeconds'], 'expected a whole number of seconds', body.retryAfterSeconds);
    default:
      throw invalid(['body', 'mode'], "expected 'none', 'status', 'rate-limit' or 'hang'", body.mode);
  }
}

/** `POLAR_LOCAL_FAULT`: none, 500, 503 (or any 5xx), 429 (Retry-After from `retryAfterSeconds`), hang. */
export function faultFromEnv(text: string, retryAfterSeconds: number): FaultMode | null {
  if (text === 'none') return { mode: 'none' };
  if (text === 'hang') return { mode: 'hang' };
  if (text === '429') return { mode: 'rate-limit', retryAfterSeconds };
  if (/^5\d\d$/.test(text)) return { mode: 'status', status: Number(text) };
  return null;
}
