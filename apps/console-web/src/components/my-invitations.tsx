import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useAuth } from '../auth/auth';
import { ME_QUERY_KEY, useWorkspace } from '../workspace';
import { DateTime, ErrorMessage } from './feedback';

/** Under ['me'], so that whatever refreshes the signed-in person refreshes these too. */
const MY_INVITATIONS_KEY = [...ME_QUERY_KEY, 'invitations'] as const;

/** `GET /api/me/invitations`: the pending invitations addressed to the signed-in person's verified email. */
export function useMyInvitations() {
  const { status } = useAuth();
  return useQuery({
    queryKey: MY_INVITATIONS_KEY,
    queryFn: () => unwrap(api.GET('/api/me/invitations')),
    enabled: status === 'signed-in',
  });
}

/**
 * The invitations addressed to me, each with **Accept**. Accepting refreshes `GET /api/me` (the new workspace
 * appears in the header's picker) and switches to that workspace.
 */
export function MyInvitations() {
  const invitations = useMyInvitations();
  const queryClient = useQueryClient();
  const { select } = useWorkspace();
  const accept = useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(api.POST('/api/me/invitations/{invitationId}/accept', { params: { path: { invitationId } } })),
    onSuccess: async ({ workspace }) => {
      await queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY });
      select(workspace.id);
    },
  });
  const pending = invitations.data?.invitations ?? [];
  if (pending.length === 0 && !accept.isSuccess) return null;
  return (
    <>
      <ul className="invitation-list">
        {pending.map((invitation) => (
          <li key={invitation.id}>
            <span>
              You are invited to join <strong>{invitation.workspace.name}</strong> as {invitation.role} (until{' '}
              <DateTime value={invitation.expiresAt} />
              ).
            </span>
            <button type="button" className="primary" disabled={accept.isPending} onClick={() => accept.mutate(invitation.id)}>
              {accept.isPending && accept.variables === invitation.id ? 'Accepting…' : 'Accept'}
            </button>
          </li>
        ))}
      </ul>
      {accept.isSuccess ? (
        <p role="status" className="ok">
          You joined {accept.data.workspace.name} as {accept.data.workspace.role}.
        </p>
      ) : null}
      <ErrorMessage error={accept.error} />
    </>
  );
}
