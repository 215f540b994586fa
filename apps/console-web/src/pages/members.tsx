import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function MembersPage() {
  return (
    <RequireSignIn what="the workspace's members">
      <h1>Members</h1>
    </RequireSignIn>
  );
}
