//! What an export reads: every table with a `tenant_id` column, found in the catalog (as the
//! erasure finds them), so a table added by a later migration is exported without a code
//! change; and each table's rows as JSON text, read through a server-side cursor in batches so
//! no table is ever held in memory. Row-level security (the transaction's tenant context)
//! decides which rows are seen; the `tenant_id` filter only helps the planner.

use eventkit_platform::db::TenantTx;
use sqlx::{Executor, Row};

/// Rows fetched from the cursor at a time.
pub const BATCH_ROWS: usize = 1000;

/// A tenant-owned table: its columns in table order and its primary key (the row order).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
}

fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Every table in `public` with a `tenant_id` column, by name.
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
        .map(|r| Table {
            name: r.get("name"),
            columns: r.get("columns"),
            key: r.get("key"),
        })
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

/// Opens the cursor over `table`'s rows as JSON objects, in primary-key order.
pub async fn open(tx: &mut TenantTx, table: &Table) -> Result<(), sqlx::Error> {
    let order = if table.key.is_empty() {
        String::new()
    } else {
        let key: Vec<String> = table.key.iter().map(|c| quoted(c)).collect();
        format!(" order by {}", key.join(", "))
    };
    // A uuid prints as hex and dashes only, so it is safe inline (DECLARE takes no parameters).
    let sql = format!(
        "declare export_rows no scroll cursor for select row_to_json(t)::text from {} t \
         where t.tenant_id = '{}'::uuid{order}",
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
