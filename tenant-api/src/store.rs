//! Row access every tenant service shares: the transaction for a principal and reads by id (in a
//! transaction, optionally locking the row, or as one round trip). Another tenant's ids are
//! `not_found`, exactly like ids that never existed.

//! Row access every tenant service shares: reads by id (in a transaction, optionally locking
//! the row, or as one round trip through the [`TenantDb`]), the live/exists checks of ids named
//! in requests, and soft delete. Each row type declares its table once ([`Entity`]); another
//! tenant's ids are `not_found`, exactly like ids that never existed.

use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    ApiError,
    db::{Tenancy, TenantDb, TenantTx, one_shot::uuid_literal},
};
use sqlx::{FromRow, Postgres, QueryBuilder, postgres::PgRow};
use uuid::Uuid;

/// A row type read by id from one tenant table: what the helpers here need to know about an
/// entity, declared beside its row struct.
pub trait Entity: for<'r> FromRow<'r, PgRow> + Send + Unpin {
    /// The entity's id type (`domain::ids`), so a read cannot be handed another entity's id.
    type Id: Copy + Into<Uuid> + std::fmt::Display + Send;
    /// The table, e.g. `products`.
    const TABLE: &'static str;
    /// The columns the row type reads, as a select list.
    const COLUMNS: &'static str;
    /// What messages call one, e.g. `product`.
    const NAME: &'static str;
    /// Whether the table has `deleted_at` (soft delete with restore).
    const SOFT_DELETE: bool = false;
}

/// Whether a read takes the row lock for the rest of the transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    No,
    ForUpdate,
}

/// A read of one `E` by id as one statement with literal values, for [`TenantDb::read_once`].
pub fn by_id_statement<E: Entity>(tenant_literal: &str, id_literal: &str) -> String {
    format!(
        "select {} from {} where tenant_id = {tenant_literal} and id = {id_literal}",
        E::COLUMNS,
        E::TABLE
    )
}

/// One `E` by id in one round trip (no transaction of our own), or `not_found`.
pub async fn read_once<E: Entity>(
    db: &TenantDb,
    who: &impl Tenancy,
    id: E::Id,
) -> Result<E, ApiError> {
    let statement = by_id_statement::<E>(&uuid_literal(who.tenant()), &uuid_literal(id.into()));
    let rows = db.read_once(who, &statement).await?;
    rows.into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(E::NAME, id))
}

/// One `E` by id of the transaction's tenant, or `not_found` naming the entity (another
/// tenant's ids are not found either).
pub async fn fetch<E: Entity>(tx: &mut TenantTx, id: E::Id, lock: Lock) -> Result<E, ApiError> {
    let lock = if lock == Lock::ForUpdate {
        " for update"
    } else {
        ""
    };
    let sql = format!(
        "select {} from {} where tenant_id = $1 and id = $2{lock}",
        E::COLUMNS,
        E::TABLE
    );
    sqlx::query_as(&sql)
        .bind(tx.tenant_id())
        .bind(id.into())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ApiError::not_found(E::NAME, id))
}

/// Appends `(<ids of location and every location below it>)` to a query, for `location_id in`.
pub fn push_location_subtree(
    sql: &mut QueryBuilder<'_, Postgres>,
    tenant: TenantId,
    location: Uuid,
) {
    sql.push("(with recursive below(id) as (select id from locations where tenant_id = ")
        .push_bind(tenant)
        .push(" and id = ")
        .push_bind(location)
        .push(" union all select c.id from locations c join below on c.parent_id = below.id where c.tenant_id = ")
        .push_bind(tenant)
        .push(") select id from below)");
}

/// Checks that `id` names an `E` of the tenant (`not_found` naming `field` otherwise) and, for
/// tables with soft delete, that it is not deleted.
pub async fn require_live<E: Entity>(
    tx: &mut TenantTx,
    field: &str,
    id: E::Id,
) -> Result<(), ApiError> {
    let sql = if E::SOFT_DELETE {
        format!(
            "select deleted_at is not null from {} where tenant_id = $1 and id = $2",
            E::TABLE
        )
    } else {
        format!(
            "select false from {} where tenant_id = $1 and id = $2",
            E::TABLE
        )
    };
    let deleted: Option<bool> = sqlx::query_scalar(&sql)
        .bind(tx.tenant_id())
        .bind(id.into())
        .fetch_optional(&mut **tx)
        .await?;
    let entity = E::NAME;
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
pub async fn require_exists<E: Entity>(
    tx: &mut TenantTx,
    field: &str,
    id: E::Id,
) -> Result<(), ApiError> {
    match require_live::<E>(tx, field, id).await {
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

/// Soft-deletes (`deleted = true`) or restores an `E` (of a table with `deleted_at`), refusing
/// with `failed_precondition` when it already is in that state; returns the row.
pub async fn set_deleted<E: Entity>(
    tx: &mut TenantTx,
    id: E::Id,
    deleted: bool,
) -> Result<E, ApiError> {
    let id: Uuid = id.into();
    debug_assert!(E::SOFT_DELETE, "{} has no deleted_at", E::TABLE);
    let (table, entity) = (E::TABLE, E::NAME);
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
         where tenant_id = $1 and id = $2 returning {}",
        E::COLUMNS
    ))
    .bind(tx.tenant_id())
    .bind(id)
    .bind(deleted)
    .fetch_one(&mut **tx)
    .await?)
}
