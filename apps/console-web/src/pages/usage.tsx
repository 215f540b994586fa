import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function UsagePage() {
  return (
    <RequireSignIn what="your usage">
      <h1>Usage</h1>
    </RequireSignIn>
  );
}
