//! The demo tenant's person: `admin@demo.eventkit.test`, an Admin, with a new random password on
//! every `eventkit up` (printed once, like the demo API key; never stored in clear).

use eventkit_domain::ids::{TenantId, UserId};
use eventkit_platform::{
    ApiError,
    db::{Actor, Db},
    identity::{password, tokens},
};

pub const DEMO_EMAIL: &str = "admin@demo.eventkit.test";
const DEMO_NAME: &str = "Alex Demo";

/// Makes (or finds) the demo person, a member of `tenant_id` with the built-in Admin role,
/// and gives them a fresh password, which is returned.
pub async fn ensure_person(db: &Db, tenant_id: TenantId) -> Result<String, ApiError> {
    let secret = tokens::generate("demo-");
    let new = password::NewPassword::parse("password", &secret, DEMO_EMAIL)
        .map_err(|v| ApiError::Internal(anyhow::anyhow!("demo password: {}", v.description)))?;
    let hash = password::hash_blocking(new).await;
    let mut tx = db
        .tenant_tx(tenant_id, &Actor::system("eventkit-up"))
        .await?;
    let user_id: UserId = sqlx::query_scalar(
        "insert into users (id, email, display_name, password_hash, email_verified_at) \
         values ($1, $2, $3, $4, now()) \
         on conflict (email) do update set password_hash = excluded.password_hash \
         returning id",
    )
    .bind(UserId::new())
    .bind(DEMO_EMAIL)
    .bind(DEMO_NAME)
    .bind(hash)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into memberships (tenant_id, user_id) values ($1, $2) on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into membership_roles (tenant_id, user_id, role_id) \
         select $1, $2, id from roles where tenant_id = $1 and builtin = 'admin' on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(secret)
}
