import { useQueryClient } from '@tanstack/react-query';
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ClientConfig } from './client-config';

export const CALLBACK_PATH = '/callback';

interface AuthState {
  /** `loading` until the stored session (if any) has been read. */
  status: 'loading' | 'signed-in' | 'signed-out';
  user: User | null;
  signIn: (returnTo?: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** The page at /callback calls this once: it checks state and the PKCE verifier and exchanges the code. */
  completeSignIn: () => Promise<string>;
}

const AuthContext = createContext<AuthState | null>(null);

/**
 * The OIDC session: authorization code flow with PKCE (oidc-client-ts). The tokens and the sign-in state
 * (state, nonce, code verifier) live in this tab's sessionStorage only: never a cookie, never localStorage.
 */
export function createUserManager(config: ClientConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    response_type: 'code',
    scope: config.scope,
    extraQueryParams: { audience: config.audience },
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    // No hidden iframe (it would need the issuer in frame-src); the session ends with the access token.
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });
}

/** Token getter for the API client, outside React. */
let currentAccessToken: string | null = null;
export const accessToken = (): string | null => currentAccessToken;

export function AuthProvider({ manager, children }: { manager: UserManager; children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<AuthState['status']>('loading');

  const queryClient = useQueryClient();

  const adopt = useCallback((next: User | null) => {
    const live = next && !next.expired ? next : null;
    currentAccessToken = live?.access_token ?? null;
    // Signed out (or expired): nothing of the last person's answers stays on screen or in memory.
    if (!live) queryClient.clear();
    setUser(live);
    setStatus(live ? 'signed-in' : 'signed-out');
  }, [queryClient]);

  useEffect(() => {
    void manager.getUser().then(adopt, () => adopt(null));
    const onExpired = () => {
      void manager.removeUser().then(() => adopt(null));
    };
    manager.events.addAccessTokenExpired(onExpired);
    return () => manager.events.removeAccessTokenExpired(onExpired);
  }, [manager, adopt]);

  const value = useMemo<AuthState>(
    () => ({
      status,
      user,
      signIn: (returnTo = window.location.pathname + window.location.search) =>
        manager.signinRedirect({ state: { returnTo: returnTo === CALLBACK_PATH ? '/overview' : returnTo } }),
      signOut: async () => {
        await manager.removeUser();
        adopt(null);
      },
      completeSignIn: async () => {
        const signedIn = await manager.signinRedirectCallback();
        adopt(signedIn);
        const state = signedIn.state as { returnTo?: string } | undefined;
        // Only a path of this origin: never an absolute URL smuggled through the state.
        const returnTo = state?.returnTo;
        return returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/overview';
      },
    }),
    [manager, status, user, adopt],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
