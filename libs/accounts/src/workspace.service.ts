import type { EntityManager } from '@mikro-orm/postgresql';
import { Workspace } from '@nomosly/db';
import { invalid, notFound, requireId } from './accounts-error';

export interface WorkspaceSettings {
  id: string;
  name: string;
  plan: string;
  monthlySpendCapCents: number | null;
}

/** A workspace's own settings: its plan and its monthly spend cap. */
export class WorkspaceService {
  constructor(private readonly em: EntityManager) {}

  async get(workspaceId: string): Promise<WorkspaceSettings> {
    return settingsOf(await this.find(this.em.fork(), workspaceId));
  }

  /** null removes the cap. */
  async setSpendCap(workspaceId: string, monthlySpendCapCents: number | null): Promise<WorkspaceSettings> {
    if (monthlySpendCapCents !== null && !(Number.isSafeInteger(monthlySpendCapCents) && monthlySpendCapCents >= 0)) {
      throw invalid('monthlySpendCapCents must be a whole number of cents, 0 or more, or null for no cap.');
    }
    const em = this.em.fork();
    const workspace = await this.find(em, workspaceId);
    workspace.monthlySpendCapCents = monthlySpendCapCents;
    await em.flush();
    return settingsOf(workspace);
  }

  private async find(em: EntityManager, workspaceId: string): Promise<Workspace> {
    const workspace = await em.findOne(Workspace, { id: requireId(workspaceId, 'workspace') });
    if (!workspace) throw notFound('workspace');
    return workspace;
  }
}

function settingsOf(workspace: Workspace): WorkspaceSettings {
  return { id: workspace.id, name: workspace.name, plan: workspace.plan, monthlySpendCapCents: workspace.monthlySpendCapCents };
}
