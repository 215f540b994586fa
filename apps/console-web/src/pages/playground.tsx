import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function PlaygroundPage() {
  return (
    <RequireSignIn what="the playground">
      <h1>Playground</h1>
    </RequireSignIn>
  );
}
