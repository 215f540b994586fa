import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ApiKey } from './entities/api-key.entity';
import { Invitation } from './entities/invitation.entity';
import { Membership } from './entities/membership.entity';
import { RequestLogEntry } from './entities/request-log.entity';
import { UsageDaily } from './entities/usage-daily.entity';
import { UsageRecord } from './entities/usage-record.entity';
import { User } from './entities/user.entity';
import { Workspace } from './entities/workspace.entity';
import { MIGRATIONS } from './migrations';

export const ENTITIES = [User, Workspace, Membership, Invitation, ApiKey, UsageRecord, UsageDaily, RequestLogEntry];

export interface DbOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
  debug?: boolean;
}

export function ormConfig(options: DbOptions): Options {
  return defineConfig({
    clientUrl: options.url,
    entities: ENTITIES,
    discovery: { warnWhenNoEntities: true },
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: options.poolSize ?? 10 },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    // Apps never create or change the schema: `nx run db:migrate` does (ensureDatabase in database.ts).
    ensureDatabase: false,
  });
}
