import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function OverviewPage() {
  return (
    <RequireSignIn what="this month's usage">
      <h1>Overview</h1>
    </RequireSignIn>
  );
}
