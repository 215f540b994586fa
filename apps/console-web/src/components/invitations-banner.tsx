import { useLocation } from 'react-router';
import { MyInvitations, useMyInvitations } from './my-invitations';

/**
 * A newly invited person sees their invitations on whatever page they land after signing in. Not on the members
 * page, which lists them itself: one **Accept** button per invitation on a page.
 */
export function InvitationsBanner() {
  const { pathname } = useLocation();
  const invitations = useMyInvitations();
  if (pathname === '/members' || !invitations.data?.invitations.length) return null;
  return (
    <section aria-label="Invitations for you" className="banner">
      <MyInvitations />
    </section>
  );
}
