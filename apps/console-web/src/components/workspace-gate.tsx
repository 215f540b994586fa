import { Fragment, type ReactNode } from 'react';
import { useMe, useWorkspace, type Workspace } from '../workspace';
import { EmptyState, Loading } from './feedback';

/**
 * Renders its children for the workspace picked in the header, once `GET /api/me` has named one; afresh when
 * another is picked (no form, filter or secret carries over from one workspace to the next).
 */
export function WorkspaceGate({ children }: { children: (workspace: Workspace) => ReactNode }) {
  const me = useMe();
  const { workspace } = useWorkspace();
  if (workspace) return <Fragment key={workspace.id}>{children(workspace)}</Fragment>;
  if (me.isPending) return <Loading />;
  // An error of /api/me is shown by the layout already.
  if (me.isError) return null;
  return <EmptyState>You are not a member of any workspace yet. Accept an invitation under Members, or sign in again to get a workspace of your own.</EmptyState>;
}
