import type { CodeSample } from './code-samples';

/** The same call as curl, JavaScript and Python: a region named "Code" (CONSOLE.md), one block per language. */
export function CodeRegion({ samples }: { samples: readonly CodeSample[] }) {
  return (
    <section aria-label="Code" className="playground-code">
      <h2>Code</h2>
      <p className="muted">
        The same call from your own program. Put your key in the <code>NOMOSLY_KEY</code> environment variable: the samples never contain it.
      </p>
      {samples.map((sample) => (
        <div key={sample.language}>
          <h3>{sample.language}</h3>
          <pre tabIndex={0}>
            <code>{sample.code}</code>
          </pre>
        </div>
      ))}
    </section>
  );
}
