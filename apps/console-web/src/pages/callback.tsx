import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useAuth } from '../auth/auth';
import { ErrorMessage, Loading } from '../components/feedback';

/** Where the identity provider sends the browser back: the code is exchanged (state and PKCE checked). */
export function CallbackPage() {
  const { completeSignIn } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    // Once only: a code can be exchanged once, and React may run effects twice in development.
    if (started.current) return;
    started.current = true;
    completeSignIn().then(
      (returnTo) => navigate(returnTo, { replace: true }),
      () => setError(new Error('Signing in did not complete (the link was used already or has expired). Use Sign in to try again.')),
    );
  }, [completeSignIn, navigate]);
  return error ? <ErrorMessage error={error} /> : <Loading label="Signing you in…" />;
}
