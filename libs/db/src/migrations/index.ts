import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000000_accounts } from './Migration20261123000000_accounts';
import { Migration20261201000000_usage } from './Migration20261201000000_usage';
import { Migration20261202000000_identity } from './Migration20261202000000_identity';
import { Migration20261203000000_billing } from './Migration20261203000000_billing';
import { Migration20261204000000_data_rights } from './Migration20261204000000_data_rights';

/** Every migration, in order. Listed explicitly so that built bundles need no file discovery. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261123000000_accounts', class: Migration20261123000000_accounts },
  { name: 'Migration20261201000000_usage', class: Migration20261201000000_usage },
  { name: 'Migration20261202000000_identity', class: Migration20261202000000_identity },
  { name: 'Migration20261203000000_billing', class: Migration20261203000000_billing },
  { name: 'Migration20261204000000_data_rights', class: Migration20261204000000_data_rights },
];
