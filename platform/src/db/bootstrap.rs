//! `eventkit migrate`: creates the three roles (when missing; passwords from their URLs), the
//! database owned by `eventkit_owner`, and runs the forward-only migrations in `migrations/`
//! as the owner. Services never connect as the owner or a superuser; only this does.

use crate::config::{DatabaseUrls, database_name};
use anyhow::{Context, bail};
use sqlx::{Connection, Executor, PgConnection, postgres::PgPoolOptions};

pub const OWNER_ROLE: &str = "eventkit_owner";
pub const APP_ROLE: &str = "eventkit_app";
pub const CONTROL_ROLE: &str = "eventkit_control";

/// The migrations compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Creates roles and database as the admin (superuser) when reachable, then migrates as owner.
pub async fn migrate(urls: &DatabaseUrls) -> anyhow::Result<()> {
    match PgConnection::connect(urls.admin.expose()).await {
        Ok(mut admin) => {
            ensure_roles(&mut admin, urls).await?;
            let name =
                database_name(urls.app.expose()).context("DATABASE_URL names no database")?;
            ensure_database(&mut admin, name).await?;
            admin.close().await.ok();
            allow_indexed_search(&crate::config::with_database(urls.admin.expose(), name)).await;
        }
        Err(err) => tracing::warn!(
            error = %err,
            "admin connection failed; assuming roles and database already exist (set EVENTKIT_DATABASE_ADMIN_URL to create them)"
        ),
    }
    run_migrations(urls.owner.expose()).await
}

/// Lets full-text search use its GIN indexes under row-level security. PostgreSQL turns only
/// *leakproof* functions into index conditions ahead of a row-level security policy, and the
/// text-search match `@@` (`ts_match_vq`) is not marked so: every search read all of a tenant's
/// rows. The match returns a boolean computed from the row's vector and the query, and we know
/// of no error of it that depends on the row (not audited line by line; PostgreSQL does not
/// mark it), so it is marked leakproof in our database — ADR 0013 says why and how to undo
/// it. Needs a superuser connection (`url`: the admin URL pointed at our database); without
/// one, search still works, by scanning.
pub async fn allow_indexed_search(url: &str) {
    let done = async {
        let mut conn = PgConnection::connect(url).await?;
        conn.execute("alter function pg_catalog.ts_match_vq(tsvector, tsquery) leakproof")
            .await?;
        conn.close().await
    }
    .await;
    if let Err(err) = done {
        tracing::warn!(error = %err, "could not mark text-search matching leakproof; searches will scan (see docs/adr/0013)");
    }
}

/// Runs pending migrations as the owner.
pub async fn run_migrations(owner_url: &str) -> anyhow::Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(owner_url)
        .await
        .with_context(|| {
            format!(
                "connecting as {OWNER_ROLE} to {}",
                crate::secret::redact_url(owner_url)
            )
        })?;
    MIGRATOR.run(&pool).await.context("running migrations")?;
    pool.close().await;
    Ok(())
}

/// Creates (or fixes the attributes and password of) the three roles. Roles are cluster-wide.
pub async fn ensure_roles(admin: &mut PgConnection, urls: &DatabaseUrls) -> anyhow::Result<()> {
    // Serialise concurrent bootstraps (parallel test processes) on one cluster.
    admin.execute("select pg_advisory_lock(727274)").await?;
    let result = async {
        for (role, url) in [(OWNER_ROLE, &urls.owner), (APP_ROLE, &urls.app), (CONTROL_ROLE, &urls.control)] {
            let (user, password) = credentials(url.expose());
            if user != role {
                bail!("the URL for {role} connects as {user:?}; it must connect as {role}");
            }
            let exists = sqlx::query("select 1 from pg_roles where rolname = $1")
                .bind(role)
                .fetch_optional(&mut *admin)
                .await?
                .is_some();
            let verb = if exists { "alter" } else { "create" };
            let password = password.map_or("password null".to_owned(), |p| format!("password {}", quote_literal(&p)));
            admin
                .execute(format!("{verb} role {role} with login nosuperuser nobypassrls nocreaterole {password}").as_str())
                .await
                .with_context(|| format!("{verb} role {role}"))?;
        }
        Ok(())
    }
    .await;
    admin.execute("select pg_advisory_unlock(727274)").await?;
    result
}

/// Creates the database owned by `eventkit_owner` when missing, and takes the right to create
/// temporary objects from PUBLIC there (created or found).
pub async fn ensure_database(admin: &mut PgConnection, name: &str) -> anyhow::Result<()> {
    let exists = sqlx::query("select 1 from pg_database where datname = $1")
        .bind(name)
        .fetch_optional(&mut *admin)
        .await?;
    if exists.is_none() {
        let sql = format!("create database {} owner {OWNER_ROLE}", quote_ident(name));
        if let Err(err) = admin.execute(sql.as_str()).await {
            // Another process may have created it in the meantime.
            let again = sqlx::query("select 1 from pg_database where datname = $1")
                .bind(name)
                .fetch_optional(&mut *admin)
                .await?;
            if again.is_none() {
                return Err(err).with_context(|| format!("creating database {name}"));
            }
        }
    }
    revoke_temporary(admin, name).await
}

/// Takes the `TEMPORARY` privilege on database `name` from PUBLIC, which every new database
/// grants it: a service role that can make temporary objects can shadow tables in a function's
/// search path (migration 0040), and none of them needs any. Database privileges are not
/// copied from a template, so every created or cloned database needs this.
async fn revoke_temporary(admin: &mut PgConnection, name: &str) -> anyhow::Result<()> {
    let sql = format!(
        "revoke temporary on database {} from public",
        quote_ident(name)
    );
    admin
        .execute(sql.as_str())
        .await
        .with_context(|| format!("revoking TEMPORARY on database {name} from PUBLIC"))?;
    Ok(())
}

/// Creates database `name` as a copy of `template` (tests: a fresh database per test).
pub async fn clone_database(
    admin: &mut PgConnection,
    template: &str,
    name: &str,
) -> anyhow::Result<()> {
    let sql = format!(
        "create database {} template {} owner {OWNER_ROLE}",
        quote_ident(name),
        quote_ident(template)
    );
    admin
        .execute(sql.as_str())
        .await
        .with_context(|| format!("cloning {template} into {name}"))?;
    revoke_temporary(admin, name).await
}

pub(crate) fn credentials(url: &str) -> (String, Option<String>) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let userinfo = rest.rsplit_once('@').map_or("", |(u, _)| u);
    match userinfo.split_once(':') {
        Some((user, password)) => (user.to_owned(), Some(password.to_owned())),
        None => (userinfo.to_owned(), None),
    }
}

fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn quote_ident(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_quoting() {
        assert_eq!(
            credentials("postgres://a:b@h/db"),
            ("a".into(), Some("b".into()))
        );
        assert_eq!(credentials("postgres://a@h/db"), ("a".into(), None));
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
    }
}
