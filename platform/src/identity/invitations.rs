//! Invitations to join a tenant: `eki_<tenant>_<40 random>` tokens, emailed and never shown to
//! the inviter. The tenant part lets acceptance run inside the tenant's RLS context (as API
//! keys do, docs/adr/0002); only the SHA-256 is stored with the invitation, and the emailed link
//! waits for the mailer outside tenant data (`mail::links`), so no export or outbox row of the
//! inviting tenant holds it. Made by admins (`InviteUser`) and by
//! provisioning (the first admin), so the code lives here.

use super::tokens;
use crate::{
    ApiError,
    db::TenantTx,
    mail::links::{self, LinkedMessage},
    outbox::{self, Event},
};
use chrono::{DateTime, Duration, Utc};
use eventkit_domain::{
    events::payloads::{EmailMessage, EmailRequested},
    ids::TenantId,
};
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub const VALID_FOR: Duration = Duration::days(7);
const PREFIX_LEN: usize = 8;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: Uuid,
    pub email: String,
    pub role_ids: Vec<Uuid>,
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub const COLUMNS: &str =
    "id, email, role_ids, invited_by, created_at, expires_at, accepted_at, revoked_at";

/// The tenant and lookup prefix of a well-formed token.
pub fn parse(token: &str) -> Option<(TenantId, &str)> {
    let rest = token.trim().strip_prefix("eki_")?;
    let (tenant, random) = rest.split_once('_')?;
    if tenant.len() != 32
        || random.len() != tokens::RANDOM_LEN
        || !random.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    Some((
        TenantId::from_uuid(Uuid::try_parse(tenant).ok()?),
        &random[..PREFIX_LEN],
    ))
}

/// Invites `email` (already parsed, lower-case) with `role_ids` (already checked to exist) and
/// asks the workers to email the link, in the same transaction.
pub async fn create(
    tx: &mut TenantTx,
    email: &str,
    role_ids: &[Uuid],
    inviter_name: Option<&str>,
    public_url: &str,
) -> Result<InvitationRow, ApiError> {
    let token = tokens::generate(&format!("eki_{}_", tx.tenant_id().uuid().simple()));
    let prefix = &token[token.len() - tokens::RANDOM_LEN..][..PREFIX_LEN];
    let id = Uuid::now_v7();
    let expires_at = Utc::now() + VALID_FOR;
    let invited_by = tx.actor().0.clone();
    let row: InvitationRow = sqlx::query_as(&format!(
        "insert into invitations (tenant_id, id, email, role_ids, prefix, token_hash, invited_by, expires_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
    ))
    .bind(tx.tenant_id())
    .bind(id)
    .bind(email)
    .bind(role_ids)
    .bind(prefix)
    .bind(tokens::hash(&token))
    .bind(&invited_by)
    .bind(expires_at)
    .fetch_one(&mut **tx)
    .await?;
    let accept_url = format!(
        "{}/accept-invitation?token={token}",
        public_url.trim_end_matches('/')
    );
    // The link stays out of the tenant's outbox (it is exported): the mailer finds it by the
    // invitation's id (docs/adr/0033).
    links::keep(tx, id, LinkedMessage::Invitation, &accept_url, expires_at).await?;
    let email_request = EmailRequested {
        message: EmailMessage::Invitation {
            inviter_name: inviter_name.map(str::to_owned),
            expires_at,
        },
        to: vec![email.to_owned()],
    };
    outbox::emit(tx, id, Event::EmailRequested(email_request)).await?;
    super::security_log::record(
        tx,
        super::security_log::SecurityEvent {
            kind: "invitation.created",
            actor: &invited_by,
            subject: &format!("invitation:{id}"),
            address: None,
            detail: serde_json::json!({ "email": email, "roleIds": role_ids }),
        },
    )
    .await?;
    Ok(row)
}

/// The open invitation `token` stands for, in the tenant of `tx`, locked for acceptance;
/// `None` when unknown, used, revoked or not matching (callers say "invalid" either way).
/// Expired invitations are returned: callers say so.
pub async fn find_open(tx: &mut TenantTx, token: &str) -> Result<Option<InvitationRow>, ApiError> {
    let Some((_, prefix)) = parse(token) else {
        return Ok(None);
    };
    let found: Option<(Uuid, Vec<u8>)> = sqlx::query_as(
        "select id, token_hash from invitations \
         where prefix = $1 and accepted_at is null and revoked_at is null for update",
    )
    .bind(prefix)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, stored)) = found else {
        return Ok(None);
    };
    if !bool::from(stored.as_slice().ct_eq(&tokens::hash(token.trim()))) {
        return Ok(None);
    }
    Ok(Some(
        sqlx::query_as(&format!("select {COLUMNS} from invitations where id = $1"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
    ))
}
