import { EVENT_NAMES, EventName, type EventOf } from '@nomosly/contracts';
import type { EventItem } from './event-batch';

/** What each event becomes on its way to Postgres: the mapped type makes a missing or extra name a compile error. */
export const EVENT_HANDLERS: { readonly [N in EventName]: (event: EventOf<N>) => EventItem } = Object.freeze({
  [EventName.Usage]: (event) => ({ name: EventName.Usage, event }),
  [EventName.Request]: (event) => ({ name: EventName.Request, event }),
});

/**
 * Refuses to start a consumer whose handler table does not cover every event name exactly once. Two names
 * with one value would share one handler: that counts as a name handled twice.
 */
export function assertEveryEventHandled(handlers: Record<string, unknown> = EVENT_HANDLERS, names: readonly string[] = EVENT_NAMES): void {
  const handled = Object.keys(handlers);
  const missing = names.filter((name) => !handled.includes(name));
  const unknown = handled.filter((name) => !names.includes(name));
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (missing.length || unknown.length || twice.length) {
    throw new Error(
      `event handlers out of step with the contract: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}], ` +
        `handled twice [${twice.join(', ')}]`,
    );
  }
}
