import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function RequestsPage() {
  return (
    <RequireSignIn what="the request log">
      <h1>Requests</h1>
    </RequireSignIn>
  );
}
