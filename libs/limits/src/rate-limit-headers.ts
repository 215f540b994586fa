import type { Admission, PolicyState } from './limits-store';

/**
 * RateLimit-Limit, -Remaining and -Reset (IETF draft) for the policy closest to refusing: the one that refused,
 * or else the one with the least remaining (on a tie, the one that resets last). Retry-After on a refusal
 * that time cures (rate, daily, quota); a spend cap is lifted by its owner, not by waiting.
 */
export function rateLimitHeaders(admission: Admission): Record<string, string> {
  const reported = reportedPolicy(admission);
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(reported.limit),
    'RateLimit-Remaining': String(reported.remaining),
    'RateLimit-Reset': String(reported.reset),
  };
  if (admission.refusedBy !== null && admission.refusedBy !== 'spend_cap') headers['Retry-After'] = String(reported.reset);
  return headers;
}

function reportedPolicy(admission: Admission): PolicyState {
  const refusing = admission.policies.find((state) => state.policy === admission.refusedBy);
  if (refusing) return refusing;
  return admission.policies.reduce((closest, state) =>
    state.remaining < closest.remaining || (state.remaining === closest.remaining && state.reset > closest.reset) ? state : closest,
  );
}
