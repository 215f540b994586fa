import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function BillingPage() {
  return (
    <RequireSignIn what="billing">
      <h1>Billing</h1>
    </RequireSignIn>
  );
}
