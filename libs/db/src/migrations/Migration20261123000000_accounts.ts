import { Migration } from '@mikro-orm/migrations';

/** Users, workspaces, memberships and API keys (stored as SHA-256 hashes only). */
export class Migration20261123000000_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "users" (
        "id" uuid primary key,
        "email" text not null unique,
        "name" text null,
        "marketing_opt_in" boolean not null default false,
        "provider_subject" text null unique,
        "created_at" timestamptz not null default now()
      );`);
    this.addSql(`
      create table "workspaces" (
        "id" uuid primary key,
        "name" text not null,
        "plan" text not null default 'free',
        "monthly_spend_cap_cents" integer null check ("monthly_spend_cap_cents" >= 0),
        "created_at" timestamptz not null default now()
      );`);
    this.addSql(`
      create table "memberships" (
        "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
        "user_id" uuid not null references "users" ("id") on delete cascade,
        "role" text not null check ("role" in ('owner', 'member')),
        "created_at" timestamptz not null default now(),
        primary key ("workspace_id", "user_id")
      );`);
    this.addSql(`create index "memberships_user_id_index" on "memberships" ("user_id");`);
    this.addSql(`
      create table "api_keys" (
        "id" uuid primary key,
        "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
        "created_by_id" uuid not null references "users" ("id") on delete cascade,
        "name" text not null,
        "prefix" text not null,
        "hash" text not null unique check ("hash" ~ '^[0-9a-f]{64}$'),
        "scopes" text[] not null,
        "created_at" timestamptz not null default now(),
        "expires_at" timestamptz null,
        "last_used_at" timestamptz null,
        "revoked_at" timestamptz null,
        "daily_limit" integer null check ("daily_limit" > 0)
      );`);
    this.addSql(`create index "api_keys_workspace_id_index" on "api_keys" ("workspace_id");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "api_keys";');
    this.addSql('drop table if exists "memberships";');
    this.addSql('drop table if exists "workspaces";');
    this.addSql('drop table if exists "users";');
  }
}
