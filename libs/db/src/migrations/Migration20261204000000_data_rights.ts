import { Migration } from '@mikro-orm/migrations';

/** Data rights: an account's deletion countdown and its restriction of processing. */
export class Migration20261204000000_data_rights extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "deletion_scheduled_for" timestamptz null;`);
    this.addSql(`alter table "users" add column "restricted_at" timestamptz null;`);
    this.addSql(`create index "users_deletion_scheduled_for_index" on "users" ("deletion_scheduled_for") where "deletion_scheduled_for" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column if exists "restricted_at";`);
    this.addSql(`alter table "users" drop column if exists "deletion_scheduled_for";`);
  }
}
