import type { ReactNode } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useAuth } from './auth/auth';
import { ErrorMessage, Loading } from './components/feedback';
import { InvitationsBanner } from './components/invitations-banner';
import { NAVIGATION } from './navigation';
import { useMe, useWorkspace } from './workspace';

/** Header (brand, workspace picker, sign in/out), the navigation of CONSOLE.md's pages, and the page. */
export function Layout() {
  const { status, user, signIn, signOut } = useAuth();
  const me = useMe();
  const { workspace, select } = useWorkspace();
  const workspaces = me.data?.workspaces ?? [];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">nomosly</span>
        {workspaces.length > 1 ? (
          <label className="workspace-picker">
            Workspace
            <select aria-label="Workspace" value={workspace?.id ?? ''} onChange={(event) => select(event.target.value)}>
              {workspaces.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name} ({candidate.role})
                </option>
              ))}
            </select>
          </label>
        ) : workspace ? (
          <span className="muted workspace-name">{workspace.name}</span>
        ) : null}
        <span className="spacer" />
        {status === 'signed-in' ? (
          <>
            <span className="muted who">{me.data?.user.email ?? user?.profile.email}</span>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </>
        ) : status === 'signed-out' ? (
          <button type="button" className="primary" onClick={() => void signIn()}>
            Sign in
          </button>
        ) : null}
      </header>
      <nav aria-label="Console" className="sidebar">
        <ul>
          {NAVIGATION.map((page) => (
            <li key={page.path}>
              <NavLink to={page.path}>{page.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <ErrorMessage error={me.error} />
        <InvitationsBanner />
        <Outlet />
      </main>
    </>
  );
}

/**
 * What a page that needs a signed-in person shows while signed out. The header holds the one button named
 * "Sign in" (two of that name on a page would make "click Sign in" ambiguous).
 */
export function RequireSignIn({ what, children }: { what: string; children: ReactNode }) {
  const { status } = useAuth();
  if (status === 'loading') return <Loading />;
  if (status === 'signed-out') {
    return (
      <section className="signed-out">
        <h1>Sign in to see {what}</h1>
        <p>Use the Sign in button at the top of the page.</p>
      </section>
    );
  }
  return <>{children}</>;
}
