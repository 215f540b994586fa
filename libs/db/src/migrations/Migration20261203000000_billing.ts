import { Migration } from '@mikro-orm/migrations';

/**
 * Billing through Polar: the ledger of usage on its way to Polar (written with each usage record, in the same
 * statement), the Polar customer of each workspace, the webhooks taken (once each), subscriptions and invoices
 * as Polar reported them (a whitelist of columns: nothing about cards), and the daily reconciliations.
 */
export class Migration20261203000000_billing extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "billing_ledger" (
        "event_id" text primary key,
        "workspace_id" uuid not null,
        "operation" text not null,
        "units" integer not null check ("units" > 0),
        "at" timestamptz not null,
        "sent_at" timestamptz null,
        "attempts" integer not null default 0,
        "next_attempt_at" timestamptz not null default now(),
        "parked_at" timestamptz null,
        "last_error" text null
      );`);
    this.addSql(`create index "billing_ledger_unsent_index" on "billing_ledger" ("next_attempt_at") where "sent_at" is null and "parked_at" is null;`);
    this.addSql(`create index "billing_ledger_workspace_id_sent_at_index" on "billing_ledger" ("workspace_id", "sent_at");`);
    this.addSql(`create index "billing_ledger_at_index" on "billing_ledger" ("at");`);
    // Usage recorded before billing existed is owed to Polar too.
    this.addSql(`
      insert into "billing_ledger" ("event_id", "workspace_id", "operation", "units", "at")
      select "event_id", "workspace_id", "operation", "units", "at" from "usage_records"
      on conflict do nothing;`);
    this.addSql(`
      create table "billing_customers" (
        "workspace_id" uuid primary key,
        "polar_customer_id" text null unique,
        "created_at" timestamptz not null default now()
      );`);
    this.addSql(`
      create table "billing_webhook_events" (
        "webhook_id" text primary key,
        "type" text not null,
        "outcome" text not null,
        "received_at" timestamptz not null
      );`);
    this.addSql(`create index "billing_webhook_events_received_at_index" on "billing_webhook_events" ("received_at");`);
    this.addSql(`
      create table "billing_subscriptions" (
        "id" text primary key,
        "workspace_id" uuid null,
        "polar_customer_id" text null,
        "product_id" text not null,
        "plan" text not null,
        "status" text not null,
        "current_period_start" timestamptz not null,
        "current_period_end" timestamptz null,
        "cancel_at_period_end" boolean not null,
        "ended_at" timestamptz null,
        "polar_version" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql(`create index "billing_subscriptions_workspace_id_index" on "billing_subscriptions" ("workspace_id");`);
    this.addSql(`
      create table "billing_invoices" (
        "order_id" text primary key,
        "workspace_id" uuid null,
        "polar_customer_id" text null,
        "subscription_id" text null,
        "number" text not null,
        "status" text not null,
        "billing_reason" text not null,
        "currency" text not null,
        "subtotal_cents" bigint not null,
        "discount_cents" bigint not null,
        "tax_cents" bigint not null,
        "total_cents" bigint not null,
        "created_at" timestamptz not null,
        "polar_version" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql(`create index "billing_invoices_workspace_id_created_at_index" on "billing_invoices" ("workspace_id", "created_at" desc);`);
    this.addSql(`create index "billing_invoices_created_at_index" on "billing_invoices" ("created_at");`);
    this.addSql(`
      create table "billing_reconciliations" (
        "id" bigserial primary key,
        "run_id" text not null,
        "workspace_id" uuid not null,
        "period_start" timestamptz not null,
        "ours" bigint not null,
        "theirs" bigint not null,
        "resent" integer not null,
        "drift" bigint not null,
        "at" timestamptz not null
      );`);
    this.addSql(`create index "billing_reconciliations_workspace_id_at_index" on "billing_reconciliations" ("workspace_id", "at" desc);`);
    this.addSql(`create index "billing_reconciliations_at_index" on "billing_reconciliations" ("at");`);
  }

  override async down(): Promise<void> {
    for (const table of ['billing_reconciliations', 'billing_invoices', 'billing_subscriptions', 'billing_webhook_events', 'billing_customers', 'billing_ledger']) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}
