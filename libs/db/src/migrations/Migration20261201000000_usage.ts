import { Migration } from '@mikro-orm/migrations';

/** Usage records (one per billable call), daily rollups, and the request log. */
export class Migration20261201000000_usage extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "usage_records" (
        "event_id" text primary key,
        "workspace_id" uuid not null,
        "user_id" uuid not null,
        "key_id" uuid not null,
        "operation" text not null,
        "units" integer not null check ("units" > 0),
        "status" integer not null check ("status" between 200 and 299),
        "latency_ms" integer not null check ("latency_ms" >= 0),
        "at" timestamptz not null
      );`);
    this.addSql(`create index "usage_records_workspace_id_at_index" on "usage_records" ("workspace_id", "at");`);
    this.addSql(`create index "usage_records_at_index" on "usage_records" ("at");`);
    this.addSql(`
      create table "usage_daily" (
        "workspace_id" uuid not null,
        "key_id" uuid not null,
        "operation" text not null,
        "day" date not null,
        "calls" bigint not null check ("calls" >= 0),
        "units" bigint not null check ("units" >= 0),
        primary key ("workspace_id", "key_id", "operation", "day")
      );`);
    this.addSql(`create index "usage_daily_day_index" on "usage_daily" ("day");`);
    this.addSql(`
      create table "request_log" (
        "request_id" text primary key,
        "workspace_id" uuid null,
        "at" timestamptz not null,
        "ip" text not null,
        "method" text not null,
        "path" text not null,
        "status" integer not null,
        "latency_ms" integer not null check ("latency_ms" >= 0),
        "key_prefix" text null
      );`);
    this.addSql(`create index "request_log_workspace_id_at_request_id_index" on "request_log" ("workspace_id", "at" desc, "request_id" desc);`);
    this.addSql(`create index "request_log_at_index" on "request_log" ("at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "request_log";');
    this.addSql('drop table if exists "usage_daily";');
    this.addSql('drop table if exists "usage_records";');
  }
}
