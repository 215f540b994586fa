import type { GatewayAnswer } from './gateway-call';

/** The gateway's answer as it came: a region named "Response" (CONSOLE.md) with the JSON. */
export function ResponseRegion({ answer }: { answer: GatewayAnswer }) {
  const json = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 2);
  return (
    <section aria-label="Response" className="playground-response">
      <h2>Response</h2>
      <p className="muted">
        HTTP {answer.status} in {Math.round(answer.elapsedMs)} ms{answer.requestId ? `, request ${answer.requestId}` : ''}
      </p>
      <pre tabIndex={0}>{json}</pre>
    </section>
  );
}
