import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/client';
import { useClientConfig } from '../client-config-context';
import { ErrorMessage, Loading } from '../components/feedback';
import { CodeRegion } from '../components/playground/code-region';
import { codeSamples } from '../components/playground/code-samples';
import { type GatewayAnswer, callGateway, refusalOf } from '../components/playground/gateway-call';
import { OPERATION_CALLS, PLAYGROUND_OPERATIONS, type PlaygroundOperation, isPlaygroundOperation } from '../components/playground/operations';
import { ResponseRegion } from '../components/playground/response-region';
import { ResultFigure, type ShownImage } from '../components/playground/result-figure';
import { drawingOf } from '../components/playground/result-shapes';
import { RequireSignIn } from '../layout';

/** A finished call, with what it was made with: the result stays as it was while the form changes. */
interface Run {
  operation: PlaygroundOperation;
  images: ShownImage[];
  answer: GatewayAnswer;
}

const ACCEPTED_TYPES = 'image/jpeg,image/png';

export function PlaygroundPage() {
  return (
    <RequireSignIn what="the playground">
      <Playground />
    </RequireSignIn>
  );
}

function Playground() {
  const { gatewayUrl } = useClientConfig();
  const [operation, setOperation] = useState<PlaygroundOperation>('faces.detect');
  const [image, setImage] = useState<File | null>(null);
  const [secondImage, setSecondImage] = useState<File | null>(null);
  // Uncontrolled: React would mirror a controlled value into the input's HTML attribute, putting the key in the DOM.
  const keyField = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  // The object URLs of the images shown now: revoked when the next run replaces them, or when the page goes.
  const shownUrls = useRef<string[]>([]);
  useEffect(() => () => shownUrls.current.forEach((url) => URL.revokeObjectURL(url)), []);
  const compare = OPERATION_CALLS[operation].fields.length === 2;
  const images = compare ? [image, secondImage] : [image];

  const run = useMutation({
    mutationFn: async (call: { operation: PlaygroundOperation; images: File[]; apiKey: string }): Promise<Run> => {
      const controller = new AbortController();
      inFlight.current = controller;
      try {
        const answer = await callGateway({ gatewayUrl, ...call, signal: controller.signal });
        const shown = call.images.map((file) => ({ name: file.name, url: URL.createObjectURL(file) }));
        shownUrls.current.forEach((url) => URL.revokeObjectURL(url));
        shownUrls.current = shown.map((image) => image.url);
        return { operation: call.operation, images: shown, answer };
      } finally {
        inFlight.current = null;
      }
    },
  });
  const elapsedSeconds = useSecondsSince(run.isPending ? run.submittedAt : null);
  const last = run.data;
  const refusal = last ? refusalOf(last.answer) : null;

  const chooseOperation = (value: string) => {
    if (!isPlaygroundOperation(value)) return;
    setOperation(value);
    // The Second image input goes with faces.compare: a file picked in it then must not be sent unseen later.
    if (OPERATION_CALLS[value].fields.length < 2) setSecondImage(null);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const picked = images.filter((file): file is File => file !== null);
    if (picked.length < images.length) {
      setProblem(compare ? 'Pick both images first (JPEG or PNG): Image is the face to look for, Second image where to look.' : 'Pick an image first (JPEG or PNG).');
      return;
    }
    const apiKey = keyField.current?.value.trim() ?? '';
    if (apiKey === '') {
      setProblem('Paste an API key first: create one on the API keys page (its secret is shown once).');
      return;
    }
    setProblem(null);
    run.mutate({ operation, images: picked, apiKey });
  };

  return (
    <>
      <h1>Playground</h1>
      <p>
        Try the API on an image of yours: pick an operation and an image, paste a key of this workspace (<Link to="/keys">create a key</Link> if you have
        none) and run it. Each call is billed like any other (1 unit).
      </p>
      <form className="card playground-form" onSubmit={submit} noValidate>
        <label>
          Operation
          <select aria-label="Operation" value={operation} onChange={(event) => chooseOperation(event.target.value)}>
            {PLAYGROUND_OPERATIONS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Image
          <input type="file" accept={ACCEPTED_TYPES} onChange={(event) => setImage(event.target.files?.[0] ?? null)} />
        </label>
        {compare ? (
          <label>
            Second image
            <input type="file" accept={ACCEPTED_TYPES} onChange={(event) => setSecondImage(event.target.files?.[0] ?? null)} />
          </label>
        ) : null}
        <label>
          API key
          <input
            ref={keyField}
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="nk_live_…"
            aria-describedby="api-key-note"
          />
        </label>
        <p id="api-key-note" className="muted">
          The key is only sent to the gateway ({new URL(gatewayUrl).origin}) with this call. It is not stored, here or anywhere else.
        </p>
        <div className="actions">
          <button type="submit" className="primary" disabled={run.isPending}>
            Run
          </button>
          {run.isPending ? (
            <button type="button" onClick={() => inFlight.current?.abort()}>
              Cancel
            </button>
          ) : null}
        </div>
        <p className="muted">JPEG or PNG, at most 5 MiB and 4096 × 4096 pixels, at least 80 × 80.</p>
      </form>

      {problem ? <ErrorMessage error={new Error(problem)} /> : null}
      {run.isPending ? <Loading label={`Running ${run.variables?.operation ?? operation}… ${elapsedSeconds} s (a call may take several seconds)`} /> : null}
      {run.error ? <ErrorMessage error={run.error} /> : null}
      {refusal ? <ErrorMessage error={new ApiError(refusal.status, refusal.code, refusal.message, refusal.requestId)} /> : null}

      {last && !refusal ? <ResultFigure images={last.images} drawing={drawingOf(last.operation, last.answer.body)} /> : null}
      {last && !run.isPending ? <ResponseRegion answer={last.answer} /> : null}
      <CodeRegion samples={codeSamples(gatewayUrl, operation, images.map((file) => file ?? undefined))} />
    </>
  );
}

/** Whole seconds since `since` (a Date.now() instant), ticking while it is set: a slow call shows it is alive. */
function useSecondsSince(since: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [since]);
  return since === null ? 0 : Math.max(0, Math.floor((now - since) / 1000));
}
