import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000000_accounts } from './Migration20261123000000_accounts';
import { Migration20261201000000_usage } from './Migration20261201000000_usage';

/** Every migration, in order. Listed explicitly so that built bundles need no file discovery. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261123000000_accounts', class: Migration20261123000000_accounts },
  { name: 'Migration20261201000000_usage', class: Migration20261201000000_usage },
];
