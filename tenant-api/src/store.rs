//! Row access every tenant service shares: the transaction for a principal and reads by id (in a
//! transaction, optionally locking the row, or as one round trip). Another tenant's ids are
//! `not_found`, exactly like ids that never existed.

use eventkit_platform::db::one_shot::uuid_literal;
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::{Db, TenantTx},
};
use sqlx::{FromRow, Postgres, QueryBuilder, postgres::PgRow};
use uuid::Uuid;

/// Whether a read takes the row lock for the rest of the transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    No,
    ForUpdate,
}

pub async fn tenant_tx(db: &Db, principal: &Principal) -> Result<TenantTx, ApiError> {
    Ok(db
        .tenant_tx(principal.tenant_id, &principal.actor())
        .await?)
}

/// A read by id as one statement with literal values, for [`Db::tenant_read`].
pub fn by_id_statement(
    columns: &str,
    table: &str,
    tenant_literal: &str,
    id_literal: &str,
) -> String {
    format!(
        "select {columns} from {table} where tenant_id = {tenant_literal} and id = {id_literal}"
    )
}

/// One row by id in one round trip (no transaction of our own), or `not_found`.
pub async fn read_by_id<T>(
    db: &Db,
    principal: &Principal,
    columns: &str,
    table: &str,
    entity: &str,
    id: Uuid,
) -> Result<T, ApiError>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let statement = by_id_statement(
        columns,
        table,
        &uuid_literal(principal.tenant_id),
        &uuid_literal(id),
    );
    let rows = db
        .tenant_read(principal.tenant_id, &principal.actor(), &statement)
        .await?;
    rows.into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(entity, id))
}

/// `select <columns> from <table>` for one id of the transaction's tenant, or `not_found`
/// naming the entity (another tenant's ids are not found either).
pub async fn fetch_by_id<T>(
    tx: &mut TenantTx,
    columns: &str,
    table: &str,
    entity: &str,
    id: Uuid,
    lock: Lock,
) -> Result<T, ApiError>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let lock = if lock == Lock::ForUpdate {
        " for update"
    } else {
        ""
    };
    let sql = format!("select {columns} from {table} where tenant_id = $1 and id = $2{lock}");
    sqlx::query_as(&sql)
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ApiError::not_found(entity, id))
}

/// Appends `(<ids of location and every location below it>)` to a query, for `location_id in`.
pub fn push_location_subtree(sql: &mut QueryBuilder<'_, Postgres>, tenant: Uuid, location: Uuid) {
    sql.push("(with recursive below(id) as (select id from locations where tenant_id = ")
        .push_bind(tenant)
        .push(" and id = ")
        .push_bind(location)
        .push(" union all select c.id from locations c join below on c.parent_id = below.id where c.tenant_id = ")
        .push_bind(tenant)
        .push(") select id from below)");
}

/// Checks that `id` names a row of the tenant in `table` (`not_found` naming `field` otherwise)
/// and, for tables with soft delete, that it is not deleted.
pub async fn require_live(
    tx: &mut TenantTx,
    field: &str,
    table: &str,
    entity: &str,
    id: Uuid,
) -> Result<(), ApiError> {
    let soft_delete = matches!(table, "products" | "events");
    let sql = if soft_delete {
        format!("select deleted_at is not null from {table} where tenant_id = $1 and id = $2")
    } else {
        format!("select false from {table} where tenant_id = $1 and id = $2")
    };
    let deleted: Option<bool> = sqlx::query_scalar(&sql)
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match deleted {
        None => Err(ApiError::NotFound(format!(
            "{field}: {entity} {id} not found"
        ))),
        Some(true) => Err(ApiError::FailedPrecondition(format!(
            "{field}: {entity} {id} is deleted"
        ))),
        Some(false) => Ok(()),
    }
}

/// Like [`require_live`], but a soft-deleted row counts (reads of history and progress).
pub async fn require_exists(
    tx: &mut TenantTx,
    field: &str,
    table: &str,
    entity: &str,
    id: Uuid,
) -> Result<(), ApiError> {
    match require_live(tx, field, table, entity, id).await {
        Err(ApiError::FailedPrecondition(_)) => Ok(()),
        other => other,
    }
}

/// Names the request field in a `not_found` (`event_id: event … not found`), for ids that
/// arrive in a field other than `id`.
pub fn in_field(field: &str) -> impl FnOnce(ApiError) -> ApiError + '_ {
    move |err| match err {
        ApiError::NotFound(message) => ApiError::NotFound(format!("{field}: {message}")),
        other => other,
    }
}

/// Soft-deletes (`deleted = true`) or restores a row of a table with `deleted_at`, refusing
/// with `failed_precondition` when it already is in that state; returns the row as `columns`.
pub async fn set_deleted<T>(
    tx: &mut TenantTx,
    table: &str,
    entity: &str,
    columns: &str,
    id: Uuid,
    deleted: bool,
) -> Result<T, ApiError>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let is_deleted: Option<bool> = sqlx::query_scalar(&format!(
        "select deleted_at is not null from {table} where tenant_id = $1 and id = $2 for update"
    ))
    .bind(tx.tenant_id())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match is_deleted {
        None => return Err(ApiError::not_found(entity, id)),
        Some(now) if now == deleted => {
            let state = if deleted {
                "already deleted"
            } else {
                "not deleted"
            };
            return Err(ApiError::FailedPrecondition(format!(
                "{entity} {id} is {state}"
            )));
        }
        Some(_) => {}
    }
    Ok(sqlx::query_as(&format!(
        "update {table} set deleted_at = case when $3 then now() end, updated_at = now() \
         where tenant_id = $1 and id = $2 returning {columns}"
    ))
    .bind(tx.tenant_id())
    .bind(id)
    .bind(deleted)
    .fetch_one(&mut **tx)
    .await?)
}
