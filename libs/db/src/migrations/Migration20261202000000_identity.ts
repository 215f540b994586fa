import { Migration } from '@mikro-orm/migrations';

/**
 * Email is no longer an identity. A user's email is unique only once the identity provider has verified it
 * (or while the user, made by the admin CLI, has never signed in: one such row per address); an unverified
 * email signs in to an account of its own. Invitations are pending rows that a verified email accepts, and a
 * user has at most one personal workspace, made at their first sign-in.
 */
export class Migration20261202000000_identity extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "users" add column "email_verified" boolean not null default false;');
    // Every user who signed in so far did so under the old rules: their email is what they are known by.
    this.addSql('update "users" set "email_verified" = true where "provider_subject" is not null;');
    this.addSql('alter table "users" drop constraint "users_email_key";');
    this.addSql('create unique index "users_verified_email_unique" on "users" ("email") where "email_verified";');
    this.addSql('create unique index "users_unclaimed_email_unique" on "users" ("email") where "provider_subject" is null;');
    this.addSql('create index "users_email_index" on "users" ("email");');

    this.addSql('alter table "workspaces" add column "personal_owner_id" uuid null unique references "users" ("id") on delete set null;');
    // Each user's oldest owned workspace is their personal one (a workspace is personal to one user at most).
    this.addSql(`
      update "workspaces" set "personal_owner_id" = oldest."user_id"
      from (
        select distinct on ("workspace_id") "workspace_id", "user_id"
        from (
          select distinct on ("user_id") "user_id", "workspace_id", "created_at"
          from "memberships" where "role" = 'owner'
          order by "user_id", "created_at", "workspace_id"
        ) as firsts
        order by "workspace_id", "created_at", "user_id"
      ) as oldest
      where "workspaces"."id" = oldest."workspace_id";`);

    this.addSql(`
      create table "invitations" (
        "id" uuid primary key,
        "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
        "email" text not null,
        "role" text not null check ("role" in ('owner', 'member')),
        "invited_by_id" uuid null references "users" ("id") on delete set null,
        "created_at" timestamptz not null default now(),
        "expires_at" timestamptz not null,
        "accepted_at" timestamptz null,
        "accepted_by_id" uuid null references "users" ("id") on delete set null
      );`);
    this.addSql('create unique index "invitations_pending_unique" on "invitations" ("workspace_id", "email") where "accepted_at" is null;');
    this.addSql('create index "invitations_email_index" on "invitations" ("email");');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "invitations";');
    this.addSql('alter table "workspaces" drop column "personal_owner_id";');
    this.addSql('drop index "users_email_index";');
    this.addSql('drop index "users_unclaimed_email_unique";');
    this.addSql('drop index "users_verified_email_unique";');
    this.addSql('alter table "users" add constraint "users_email_key" unique ("email");');
    this.addSql('alter table "users" drop column "email_verified";');
  }
}
