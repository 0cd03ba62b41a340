//! What an export reads: every table with a `tenant_id` column, found in the catalog (as the
//! erasure finds them), so a table added by a later migration is exported without a code
//! change; and each table's rows as JSON text, read through a server-side cursor in batches so
//! no table is ever held in memory. Row-level security (the transaction's tenant context)
//! decides which rows are seen; the `tenant_id` filter only helps the planner.
//!
//! An export is the tenant's data, not the delivery plumbing and not secrets (DESIGN.md, "No
//! secret in tenant data"; docs/adr/0033): the tables in [`LEFT_OUT`] are not exported at all,
//! and the columns in [`REDACTED`] are left out of their tables. The manifest lists both.

use eventkit_platform::db::TenantTx;
use sqlx::{Executor, Row};

/// Rows fetched from the cursor at a time.
pub const BATCH_ROWS: usize = 1000;

/// Tables an export leaves out: the delivery plumbing. They hold copies of what was sent or
/// answered — event payloads, dead letters, the stored answers of mutations (a new API key's
/// secret among them) — not data of the tenant's own.
pub const LEFT_OUT: &[&str] = &["idempotency_keys", "job_failures", "outbox"];

/// Columns an export leaves out of their tables: secrets, and the hashes and lookup prefixes of
/// tokens (the API never shows them either).
pub const REDACTED: &[(&str, &[&str])] = &[
    ("api_keys", &["secret_hash"]),
    ("invitations", &["prefix", "token_hash"]),
    ("sso_settings", &["client_secret"]),
    ("webhook_endpoints", &["secret", "previous_secret"]),
];

/// The columns of `table` an export leaves out.
pub fn redacted(table: &str) -> &'static [&'static str] {
    REDACTED
        .iter()
        .find(|(name, _)| *name == table)
        .map_or(&[], |(_, columns)| columns)
}

/// A tenant-owned table: the columns exported, in table order, and its primary key (the row
/// order; never redacted).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
}

fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Every table in `public` with a `tenant_id` column that an export holds, by name, without its
/// redacted columns.
pub async fn tenant_tables(tx: &mut TenantTx) -> Result<Vec<Table>, sqlx::Error> {
    let rows = sqlx::query(
        "select c.relname::text as name, \
            array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 \
                  and not a.attisdropped order by a.attnum) as columns, \
            array(select a.attname::text from pg_index i cross join unnest(i.indkey) with ordinality k(attnum, n) \
                  join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum \
                  where i.indrelid = c.oid and i.indisprimary order by k.n) as key \
         from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition \
           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) \
         order by 1",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let name: String = r.get("name");
            let columns: Vec<String> = r.get("columns");
            let columns = columns
                .into_iter()
                .filter(|c| !redacted(&name).contains(&c.as_str()))
                .collect();
            Table {
                name,
                columns,
                key: r.get("key"),
            }
        })
        .filter(|t| !LEFT_OUT.contains(&t.name.as_str()))
        .collect())
}

/// How many rows of `table` the transaction's tenant has (in its snapshot).
pub async fn count(tx: &mut TenantTx, table: &Table) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "select count(*) from {} where tenant_id = $1",
        quoted(&table.name)
    ))
    .bind(tx.tenant_id())
    .fetch_one(&mut **tx)
    .await
}

/// Opens the cursor over `table`'s rows as JSON objects of its exported columns, in
/// primary-key order.
pub async fn open(tx: &mut TenantTx, table: &Table) -> Result<(), sqlx::Error> {
    let order = if table.key.is_empty() {
        String::new()
    } else {
        let key: Vec<String> = table
            .key
            .iter()
            .map(|c| format!("t.{}", quoted(c)))
            .collect();
        format!(" order by {}", key.join(", "))
    };
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(c)).collect();
    // A uuid prints as hex and dashes only, so it is safe inline (DECLARE takes no parameters).
    let sql = format!(
        "declare export_rows no scroll cursor for select row_to_json(t)::text from \
         (select {} from {} where tenant_id = '{}'::uuid) t{order}",
        columns.join(", "),
        quoted(&table.name),
        tx.tenant_id()
    );
    let conn: &mut sqlx::PgConnection = tx;
    conn.execute(sqlx::raw_sql(&sql)).await?;
    Ok(())
}

/// Fetches [`BATCH_ROWS`] rows.
const FETCH: &str = "fetch forward 1000 from export_rows";

/// The next batch of rows (JSON text); empty when the cursor is exhausted.
pub async fn next_batch(tx: &mut TenantTx) -> Result<Vec<String>, sqlx::Error> {
    let conn: &mut sqlx::PgConnection = tx;
    let rows = conn.fetch_all(sqlx::raw_sql(FETCH)).await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

pub async fn close(tx: &mut TenantTx) -> Result<(), sqlx::Error> {
    let conn: &mut sqlx::PgConnection = tx;
    conn.execute(sqlx::raw_sql("close export_rows")).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_columns_are_never_keys_nor_of_left_out_tables() {
        for (table, columns) in REDACTED {
            assert!(!LEFT_OUT.contains(table), "{table}");
            for column in *columns {
                assert!(!["tenant_id", "id"].contains(column), "{table}.{column}");
            }
        }
        assert_eq!(redacted("invitations"), ["prefix", "token_hash"]);
        assert!(redacted("products").is_empty());
    }
}
