//! One-round-trip reads for a tenant. `SET LOCAL` of the tenant context and one read statement
//! travel as a single simple-protocol query; Postgres runs such a query as one implicit
//! transaction, so the settings end with it exactly as with [`TenantTx`](super::TenantTx), and row-level
//! security sees the tenant. A read by id then costs one round trip instead of four (begin, set,
//! select, commit) — see bench/history/get-asset.md. The simple protocol carries no parameters, so values
//! go in as literals built here only from values whose text we control: UUIDs, and dollar-quoted
//! text whose quote tag cannot occur in it. The reads run on their own connections
//! ([`super::ReadPool`]), which skip sqlx's check round trip when a connection is handed back.

use super::{Actor, Db};
use eventkit_domain::ids::TenantId;
use sqlx::{FromRow, postgres::PgRow};
use uuid::Uuid;

/// A UUID, or a typed id, as an SQL literal (its text is only hex digits and dashes).
pub fn uuid_literal(id: impl Into<Uuid>) -> String {
    format!("'{}'", id.into())
}

/// Text as a dollar-quoted SQL literal, immune to quotes, backslashes and
/// `standard_conforming_strings`.
pub fn text_literal(text: &str) -> String {
    let mut tag = String::from("ek");
    // The tag must not occur in the text, nor end it: `a$ek` + `$ek$` would close at `$ek$ek$`.
    while text.contains(&format!("${tag}$")) || text.ends_with(&format!("${tag}")) {
        tag.push('x');
    }
    format!("${tag}${text}${tag}$")
}

/// The query text of a one-shot read: the tenant context, then `statement`.
pub fn one_shot_sql(tenant_literal: &str, actor_literal: &str, statement: &str) -> String {
    format!(
        "SET LOCAL app.tenant_id = {tenant_literal}; SET LOCAL app.actor = {actor_literal}; {statement}"
    )
}

impl Db {
    /// Runs one read `statement` (no parameters; values from [`uuid_literal`] and
    /// [`text_literal`]) for `tenant_id` in a single round trip.
    pub async fn tenant_read<T>(
        &self,
        tenant_id: TenantId,
        actor: &Actor,
        statement: &str,
    ) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let sql = one_shot_sql(&uuid_literal(tenant_id), &text_literal(&actor.0), statement);
        let rows = self.reads().fetch_all(&sql).await?;
        rows.iter().map(T::from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_cannot_break_out() {
        assert_eq!(text_literal("api_key:1"), "$ek$api_key:1$ek$");
        assert_eq!(
            text_literal("x$ek$; drop table t; --"),
            "$ekx$x$ek$; drop table t; --$ekx$"
        );
        assert_eq!(text_literal("it's \\"), "$ek$it's \\$ek$");
        assert_eq!(text_literal("a$ek"), "$ekx$a$ek$ekx$");
        assert_eq!(text_literal("$ekx$a$ek"), "$ekxx$$ekx$a$ek$ekxx$");
        let id = Uuid::nil();
        assert_eq!(uuid_literal(id), "'00000000-0000-0000-0000-000000000000'");
        let tenant = TenantId::from_uuid(id);
        assert_eq!(uuid_literal(tenant), uuid_literal(id));
    }
}
