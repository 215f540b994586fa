import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ReconciliationReport, WorkspaceReconciliation } from '@nomosly/contracts';
import { BillingMetrics } from '../metrics';
import { type BilledWorkspace, LedgerWindow } from './ledger-window';
import { PolarUsage } from './polar-usage';
import { unmatchedRecords } from './unmatched-records';

export interface ReconcileOptions {
  /** Count and log only: nothing re-sent, no `billing_reconciliations` row, the metrics left as the last real run set them. */
  dryRun?: boolean;
  /** The time written on the rows. */
  now?: Date;
  runId?: string;
}

/**
 * Compares, per workspace, the units our ledger says Polar accepted in the current meter period with Polar's
 * customer meter, and when ours exceed theirs hands back to the sender the records Polar's event list lacks
 * (they are re-sent under the same `external_id`, so re-sending one Polar holds does nothing). Writes one
 * `billing_reconciliations` row per workspace and run.
 *
 * Our side is read before Polar's: a record the sender gets accepted in between makes Polar's count the larger,
 * never ours, so a positive drift is never the sender's concurrent work: Polar lacks records (or counts from a
 * later period start than our copy of the subscription says).
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger('Reconciliation');

  constructor(
    private readonly em: EntityManager,
    private readonly ledger: LedgerWindow,
    private readonly polar: PolarUsage,
    private readonly metrics: BillingMetrics,
  ) {}

  async run({ dryRun = false, now = new Date(), runId = randomUUID() }: ReconcileOptions = {}): Promise<ReconciliationReport> {
    const report: ReconciliationReport = { runId, dryRun, at: now.toISOString(), workspaces: [], failed: [] };
    for (const workspace of await this.ledger.billedWorkspaces()) {
      try {
        const figures = await this.reconcile(workspace, dryRun);
        report.workspaces.push(figures);
        if (!dryRun) await this.record(runId, figures, now);
        if (figures.drift !== 0) {
          this.logger.warn(
            `${dryRun ? 'dry run: ' : ''}workspace ${figures.workspaceId} drifts from Polar since ${figures.periodStart}: ` +
              `ours ${figures.ours} units, Polar ${figures.theirs}, drift ${figures.drift}, ${dryRun ? 'would re-send' : 're-sent'} ${figures.resent}`,
          );
        }
      } catch (error) {
        const message = (error as Error).message;
        report.failed.push({ workspaceId: workspace.workspaceId, error: message });
        this.logger.error(`reconciliation of workspace ${workspace.workspaceId} failed: ${message}`);
      }
    }
    if (!dryRun) this.observe(report);
    const drifting = report.workspaces.filter((figures) => figures.drift !== 0);
    this.logger.log(
      `${dryRun ? 'dry run ' : ''}reconciliation ${runId}: ${report.workspaces.length} workspaces checked, ${drifting.length} drifting, ` +
        `${report.workspaces.reduce((sum, figures) => sum + figures.resent, 0)} records ${dryRun ? 'would be ' : ''}re-sent, ${report.failed.length} failed`,
    );
    return report;
  }

  private async reconcile(workspace: BilledWorkspace, dryRun: boolean): Promise<WorkspaceReconciliation> {
    const ours = await this.ledger.sentUnits(workspace);
    const theirs = await this.polar.consumedUnits(workspace.workspaceId);
    const drift = ours.units - theirs;
    let resent = 0;
    if (drift > 0 && ours.firstAt) {
      const theirKeys = await this.polar.usageEventKeys(workspace.workspaceId, ours.firstAt);
      const missing = unmatchedRecords(await this.ledger.sentRecordsFrom(workspace.workspaceId, ours.firstAt), theirKeys);
      resent = dryRun ? missing.length : await this.ledger.markForResend(missing.map((record) => record.eventId));
    }
    return { workspaceId: workspace.workspaceId, periodStart: workspace.periodStart.toISOString(), ours: ours.units, theirs, drift, resent };
  }

  private async record(runId: string, figures: WorkspaceReconciliation, now: Date): Promise<void> {
    await this.em.getKnex().raw(
      `insert into billing_reconciliations (run_id, workspace_id, period_start, ours, theirs, resent, drift, at)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
      [runId, figures.workspaceId, figures.periodStart, figures.ours, figures.theirs, figures.resent, figures.drift, now],
    );
  }

  private observe(report: ReconciliationReport): void {
    this.metrics.reconciliationDrift.set(report.workspaces.reduce((sum, figures) => sum + Math.abs(figures.drift), 0));
    this.metrics.reconciliationDrifting.set(report.workspaces.filter((figures) => figures.drift !== 0).length);
    this.metrics.reconciliationResent.inc(report.workspaces.reduce((sum, figures) => sum + figures.resent, 0));
  }
}
