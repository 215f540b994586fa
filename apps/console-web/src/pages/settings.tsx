import { RequireSignIn } from '../layout';

// PLACEHOLDER: replaced by the page of CONSOLE.md.
export function SettingsPage() {
  return (
    <RequireSignIn what="your settings">
      <h1>Settings</h1>
    </RequireSignIn>
  );
}
