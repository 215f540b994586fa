import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ConfirmButton } from '../components/confirm';
import { DateTime, EmptyState, ErrorMessage, Loading } from '../components/feedback';
import { TableScroll } from '../components/table-scroll';
import { InviteButton } from '../components/invite-dialog';
import { MyInvitations, useMyInvitations } from '../components/my-invitations';
import { RequireSignIn } from '../layout';
import { ME_QUERY_KEY, useMe, useWorkspace, type Workspace } from '../workspace';

export function MembersPage() {
  const { workspace } = useWorkspace();
  const me = useMe();
  return (
    <RequireSignIn what="the workspace's members">
      <h1>Members</h1>
      <InvitationsForMe />
      {workspace && me.data ? <Roster workspace={workspace} myUserId={me.data.user.id} /> : me.isPending ? <Loading /> : null}
    </RequireSignIn>
  );
}

function InvitationsForMe() {
  const invitations = useMyInvitations();
  if (!invitations.data?.invitations.length) return <MyInvitations />;
  return (
    <section className="banner">
      <h2 id="for-me-heading">Invitations for you</h2>
      <MyInvitations />
    </section>
  );
}

function Roster({ workspace, myUserId }: { workspace: Workspace; myUserId: string }) {
  const queryClient = useQueryClient();
  const membersKey = ['members', workspace.id] as const;
  const path = { ws: workspace.id };
  const roster = useQuery({ queryKey: membersKey, queryFn: () => unwrap(api.GET('/api/workspaces/{ws}/members', { params: { path } })) });
  const isOwner = workspace.role === 'owner';
  const refresh = () => queryClient.invalidateQueries({ queryKey: membersKey });

  const removeMember = async (userId: string) => {
    await unwrap(api.DELETE('/api/workspaces/{ws}/members/{userId}', { params: { path: { ...path, userId } } }));
    // Leaving takes the workspace out of my own list too.
    await (userId === myUserId ? queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY }) : refresh());
  };
  const cancelInvitation = async (invitationId: string) => {
    await unwrap(api.DELETE('/api/workspaces/{ws}/invitations/{invitationId}', { params: { path: { ...path, invitationId } } }));
    await refresh();
  };

  if (roster.isPending) return <Loading />;
  if (roster.isError) return <ErrorMessage error={roster.error} />;
  const { members, invitations } = roster.data;
  return (
    <>
      {isOwner ? (
        <div className="actions page-actions">
          <InviteButton workspaceId={workspace.id} membersKey={membersKey} />
        </div>
      ) : null}
      <section>
        <h2 id="members-heading">Members of {workspace.name}</h2>
        <TableScroll label={`Members of ${workspace.name}`}>
          <table aria-labelledby="members-heading">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={member.userId}>
                  <td>
                    {member.email}
                    {member.userId === myUserId ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td>{member.name ?? <span className="muted">—</span>}</td>
                  <td>{member.role}</td>
                  <td>
                    <DateTime value={member.joinedAt} />
                  </td>
                  <td>
                    {member.userId === myUserId ? (
                      isOwner ? null : (
                        <ConfirmButton
                          label="Leave workspace"
                          danger
                          question={`You leave ${workspace.name}; the API keys you created in it are revoked at once.`}
                          onConfirm={() => removeMember(member.userId)}
                        />
                      )
                    ) : isOwner ? (
                      <ConfirmButton
                        label="Remove"
                        danger
                        question={`${member.email} leaves ${workspace.name}; the API keys they created in it are revoked at once.`}
                        onConfirm={() => removeMember(member.userId)}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      <section>
        <h2 id="invitations-heading">Pending invitations</h2>
        {invitations.length === 0 ? (
          <EmptyState>
            {isOwner ? 'No pending invitations: use Invite to ask someone to join by email.' : 'No pending invitations.'}
          </EmptyState>
        ) : (
          <TableScroll label="Pending invitations">
            <table aria-labelledby="invitations-heading">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Expires</th>
                  {isOwner ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {invitations.map((invitation) => (
                  <tr key={invitation.id}>
                    <td>{invitation.email}</td>
                    <td>{invitation.role}</td>
                    <td>
                      <DateTime value={invitation.createdAt} />
                    </td>
                    <td>
                      <DateTime value={invitation.expiresAt} />
                    </td>
                    {isOwner ? (
                      <td>
                        <ConfirmButton
                          label="Cancel invitation"
                          danger
                          question={`The invitation to ${invitation.email} stops working.`}
                          onConfirm={() => cancelInvitation(invitation.id)}
                        />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </>
  );
}
