import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000000_accounts } from './Migration20261123000000_accounts';

/** Every migration, in order. Listed explicitly so that built bundles need no file discovery. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261123000000_accounts', class: Migration20261123000000_accounts },
];
