import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, unwrap } from './api/client';
import { useAuth } from './auth/auth';

export type Me = Awaited<ReturnType<typeof fetchMe>>;
export type Workspace = Me['workspaces'][number];

export const ME_QUERY_KEY = ['me'] as const;

function fetchMe() {
  return unwrap(api.GET('/api/me'));
}

/** `GET /api/me`, shared by every page (the header, the workspace picker, settings). */
export function useMe() {
  const { status } = useAuth();
  return useQuery({ queryKey: ME_QUERY_KEY, queryFn: fetchMe, enabled: status === 'signed-in' });
}

interface WorkspaceState {
  workspace: Workspace | null;
  select: (id: string) => void;
}

const WorkspaceContext = createContext<WorkspaceState>({ workspace: null, select: () => undefined });
const STORAGE_KEY = 'nomosly.workspace';

/** The workspace the pages show: the one picked in the header (remembered for the tab), else the first. */
export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const [selected, setSelected] = useState<string | null>(() => window.sessionStorage.getItem(STORAGE_KEY));
  const workspaces = me.data?.workspaces ?? [];
  const workspace = workspaces.find((candidate) => candidate.id === selected) ?? workspaces[0] ?? null;
  useEffect(() => {
    if (workspace) window.sessionStorage.setItem(STORAGE_KEY, workspace.id);
  }, [workspace]);
  return <WorkspaceContext.Provider value={{ workspace, select: setSelected }}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceState {
  return useContext(WorkspaceContext);
}
