import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '@nomosly/accounts';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';
import { DeletionQueue } from './deletion.queue';

export interface DeletionCountdown {
  deletionScheduledFor: Date;
}

/**
 * The account deletion countdown (P7): asked for, it ends ACCOUNT_DELETION_GRACE_SECONDS later with the purge
 * (run by the usage app); cancelled before then, nothing is lost.
 */
@Injectable()
export class DeletionService {
  constructor(
    private readonly em: EntityManager,
    private readonly queue: DeletionQueue,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  /** Starts the countdown, or answers the one already running; refused while others depend on the caller as the only owner. */
  async schedule(userId: string, now = new Date()): Promise<DeletionCountdown> {
    const scheduledFor = await this.em.getKnex().transaction(async (trx) => {
      const user = await trx.raw<{ rows: Array<{ deletion_scheduled_for: Date | string | null }> }>(
        'select deletion_scheduled_for from users where id = ? for no key update',
        [userId],
      );
      if (!user.rows.length) throw notFound('user');
      // The driver may hand a timestamp back as text: read as a Date either way.
      const pending = user.rows[0].deletion_scheduled_for;
      if (pending) return new Date(pending);
      const orphaned = await trx.raw<{ rows: Array<{ name: string }> }>(
        `select w.name from memberships m join workspaces w on w.id = m.workspace_id
          where m.user_id = ? and m.role = 'owner'
            and not exists (select 1 from memberships o where o.workspace_id = m.workspace_id and o.role = 'owner' and o.user_id <> m.user_id)
            and exists (select 1 from memberships x where x.workspace_id = m.workspace_id and x.user_id <> m.user_id)
          order by w.name limit 5`,
        [userId],
      );
      if (orphaned.rows.length) {
        const names = orphaned.rows.map((row) => `"${row.name}"`).join(', ');
        throw conflict(
          `You are the only owner of ${names}, which other members still use: make one of them an owner, or remove them, before deleting your account.`,
        );
      }
      const at = new Date(now.getTime() + this.config.ACCOUNT_DELETION_GRACE_SECONDS * 1000);
      await trx.raw('update users set deletion_scheduled_for = ? where id = ?', [at, userId]);
      return at;
    });
    // After the commit; scheduling it again (a repeated request) adds nothing, and the usage app's hourly sweep
    // purges an overdue account whose job was lost.
    await this.queue.schedule({ userId, scheduledFor: scheduledFor.toISOString() }, now);
    return { deletionScheduledFor: scheduledFor };
  }

  /** Cancels the countdown; nothing was deleted, and nothing will be. */
  async cancel(userId: string): Promise<void> {
    const was = await this.em.getKnex().transaction(async (trx) => {
      const user = await trx.raw<{ rows: Array<{ deletion_scheduled_for: Date | string | null }> }>(
        'select deletion_scheduled_for from users where id = ? for no key update',
        [userId],
      );
      if (!user.rows.length) throw notFound('user');
      await trx.raw('update users set deletion_scheduled_for = null where id = ?', [userId]);
      return user.rows[0].deletion_scheduled_for;
    });
    if (was) await this.queue.withdraw({ userId, scheduledFor: new Date(was).toISOString() });
  }
}
