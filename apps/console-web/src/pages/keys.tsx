import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function ApiKeysPage() {
  return (
    <RequireSignIn what="your API keys">
      <h1>API keys</h1>
    </RequireSignIn>
  );
}
