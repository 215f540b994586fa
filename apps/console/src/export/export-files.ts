/** How a file's rows are written: one JSON object, a JSON array (one row a line), or JSON Lines. */
export type ExportFormat = 'object' | 'array' | 'lines';

export interface ExportFile {
  name: string;
  format: ExportFormat;
  /** For README.txt: which rows the file holds. */
  holds: string;
  /** One column, the row as JSON text (Postgres writes it: the columns as stored, in the session's UTC); $1 is the caller's id. */
  sql: string;
}

/** The workspaces the caller owns: all of their rows are the caller's. */
const OWNED = `select "workspace_id" from "memberships" where "user_id" = $1 and "role" = 'owner'`;
/**
 * The other workspaces the caller has keys in: there, the rows made with those keys are the caller's. Each big
 * table is read in two parts, the owned workspaces' and these, so that both go by the workspace index.
 */
const OWN_KEYS_ELSEWHERE = `select "id", "workspace_id", "prefix" from "api_keys" where "created_by_id" = $1 and "workspace_id" not in (${OWNED})`;
/** The other workspaces the caller belongs to or has keys in: there, the calls they made are theirs (a deleted key's too). */
const ELSEWHERE = `select "workspace_id" from "memberships" where "user_id" = $1 and "role" <> 'owner'
                   union select "workspace_id" from (${OWN_KEYS_ELSEWHERE}) k`;

/**
 * Every table that holds rows of the caller (API.md "Data rights"), in the order they are written. Each row is
 * the whole row as stored (`row_to_json`), so a column added later is exported too; the one exception is an API
 * key's `hash`, which never leaves the database.
 */
export const EXPORT_FILES: readonly ExportFile[] = [
  {
    name: 'profile.json',
    format: 'object',
    holds: 'your account: email, name, whether the email is verified, your marketing choice, your deletion countdown and restriction, when it was made',
    sql: `select row_to_json(u)::text from "users" u where u."id" = $1`,
  },
  {
    name: 'workspaces.json',
    format: 'array',
    holds: 'the workspaces you own',
    sql: `select row_to_json(w)::text from "workspaces" w where w."id" in (${OWNED}) order by w."created_at", w."id"`,
  },
  {
    name: 'memberships.json',
    format: 'array',
    holds: 'your membership of every workspace you belong to, and every membership of the workspaces you own',
    sql: `select row_to_json(m)::text from "memberships" m
           where m."workspace_id" in (select "workspace_id" from "memberships" where "user_id" = $1)
             and (m."user_id" = $1 or m."workspace_id" in (${OWNED}))
           order by m."created_at", m."workspace_id", m."user_id"`,
  },
  {
    name: 'invitations.json',
    format: 'array',
    holds: 'invitations you sent, accepted or that were sent to your verified email, and every invitation of the workspaces you own',
    sql: `select row_to_json(i)::text from "invitations" i
           where i."workspace_id" in (${OWNED}) or i."invited_by_id" = $1 or i."accepted_by_id" = $1
              or i."email" = (select u."email" from "users" u where u."id" = $1 and u."email_verified")
           order by i."created_at", i."id"`,
  },
  {
    name: 'api_keys.json',
    format: 'array',
    holds: 'the API keys you made, and every key of the workspaces you own: metadata only (the prefix, never the secret or its hash)',
    sql: `select (to_jsonb(k) - 'hash')::text from "api_keys" k
           where k."created_by_id" = $1 or k."workspace_id" in (${OWNED})
           order by k."created_at", k."id"`,
  },
  {
    name: 'usage_daily.json',
    format: 'array',
    holds: 'daily usage totals of your keys, and of every key of the workspaces you own',
    sql: `select row_to_json(d)::text from "usage_daily" d where d."workspace_id" in (${OWNED})
          union all
          select row_to_json(d)::text from "usage_daily" d
           where (d."workspace_id", d."key_id") in (select k."workspace_id", k."id" from (${OWN_KEYS_ELSEWHERE}) k)`,
  },
  {
    name: 'subscriptions.json',
    format: 'array',
    holds: 'the billing subscriptions of the workspaces you own',
    sql: `select row_to_json(s)::text from "billing_subscriptions" s where s."workspace_id" in (${OWNED}) order by s."current_period_start", s."id"`,
  },
  {
    name: 'invoices.json',
    format: 'array',
    holds: 'the invoices of the workspaces you own',
    sql: `select row_to_json(v)::text from "billing_invoices" v where v."workspace_id" in (${OWNED}) order by v."created_at", v."order_id"`,
  },
  {
    name: 'usage_records.jsonl',
    format: 'lines',
    holds: 'every billable call made with your keys, and every call of the workspaces you own, one JSON object a line',
    // No order: a million rows are passed on as the workspace index yields them, with no sort.
    sql: `select row_to_json(r)::text from "usage_records" r where r."workspace_id" in (${OWNED})
          union all
          select row_to_json(r)::text from "usage_records" r
           where r."workspace_id" in (${ELSEWHERE}) and r."user_id" = $1`,
  },
  {
    name: 'request_log.jsonl',
    format: 'lines',
    holds: 'the request log of the workspaces you own, and the requests made with your keys elsewhere (by key prefix), one JSON object a line',
    sql: `select row_to_json(l)::text from "request_log" l where l."workspace_id" in (${OWNED})
          union all
          select row_to_json(l)::text from "request_log" l
           where l."workspace_id" in (select k."workspace_id" from (${OWN_KEYS_ELSEWHERE}) k)
             and l."key_prefix" in (select k."prefix" from (${OWN_KEYS_ELSEWHERE}) k where k."workspace_id" = l."workspace_id")`,
  },
];
