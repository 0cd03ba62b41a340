//! API keys for integrators: scoped to permission names the creator holds (a key can only narrow
//! what its creator may do), optionally expiring, shown once, listed without secrets, revoked at
//! once in this process (other processes within the key cache period), rotated into a new key.
//! Each change writes an `api_key.*` event (never the secret).

use super::Admin;
use crate::wire::timestamp;
use crate::{paging::Page, permissions};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{ApiKeyId, TenantId};
use eventkit_domain::{FieldViolation, Violations, inventory::NAME};
use eventkit_platform::{
    ApiError,
    auth::{Principal, api_key},
    db::TenantTx,
    identity::security_log::{self, SecurityEvent},
    outbox,
};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

const COLUMNS: &str =
    "id, name, prefix, permissions, created_at, expires_at, last_used_at, revoked_at";

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: ApiKeyId,
    name: String,
    prefix: String,
    permissions: Vec<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl KeyRow {
    fn into_pb(self, tenant_id: TenantId) -> pb::ApiKey {
        pb::ApiKey {
            id: self.id.to_string(),
            name: self.name,
            display_prefix: format!("ek_{}_{}", tenant_id.uuid().simple(), self.prefix),
            scopes: self.permissions,
            create_time: Some(timestamp(self.created_at)),
            expire_time: self.expires_at.map(timestamp),
            last_use_time: self.last_used_at.map(timestamp),
            revoke_time: self.revoked_at.map(timestamp),
        }
    }
}

/// Checks requested scopes: known permission names (or `*`), each held by the creator.
fn parse_scopes(principal: &Principal, scopes: &[String]) -> Result<Vec<String>, ApiError> {
    permissions::grantable(principal, "scopes", "a key's scopes", scopes)
}

fn parse_expiry(
    raw: Option<&prost_types::Timestamp>,
) -> Result<Option<DateTime<Utc>>, FieldViolation> {
    let Some(t) = raw else { return Ok(None) };
    let at = DateTime::from_timestamp(t.seconds, t.nanos.max(0) as u32)
        .ok_or_else(|| FieldViolation::new("expire_time", "is not a valid time"))?;
    if at <= Utc::now() {
        return Err(FieldViolation::new("expire_time", "must be in the future"));
    }
    Ok(Some(at))
}

async fn fetch(tx: &mut TenantTx, id: ApiKeyId) -> Result<KeyRow, ApiError> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from api_keys where tenant_id = $1 and id = $2 for update"
    ))
    .bind(tx.tenant_id())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("API key", id))
}

/// The outbox event (webhooks) and the security-log entry of a key change.
async fn emit(
    tx: &mut TenantTx,
    event: fn(pb::ApiKey) -> outbox::Event,
    key: &pb::ApiKey,
    id: Uuid,
) -> Result<(), ApiError> {
    let event = event(key.clone());
    let kind = event.event_type().as_str();
    outbox::emit(tx, id, event).await?;
    let actor = tx.actor().0.clone();
    security_log::record(
        tx,
        SecurityEvent {
            kind,
            actor: &actor,
            subject: &format!("api_key:{id}"),
            address: None,
            detail: serde_json::json!({ "name": key.name, "scopes": key.scopes }),
        },
    )
    .await
}

/// Makes a key in `tx` and returns it with its secret.
async fn issue(
    tx: &mut TenantTx,
    name: &str,
    scopes: &[String],
    expires_at: Option<DateTime<Utc>>,
) -> Result<(pb::ApiKey, String), ApiError> {
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let issued = api_key::create(tx, name, &scopes, expires_at).await?;
    let row = fetch(tx, ApiKeyId::from_uuid(issued.id)).await?;
    let key = row.into_pb(tx.tenant_id());
    emit(tx, outbox::Event::ApiKeyCreated, &key, issued.id).await?;
    Ok((key, issued.key.expose().clone()))
}

impl Admin {
    pub async fn create_api_key(
        &self,
        p: &Principal,
        req: CreateApiKeyRequest,
    ) -> Result<CreateApiKeyResponse, ApiError> {
        let mut v = Violations::new();
        let name = v.check(NAME.parse("name", &req.name));
        let expires_at = v.check(parse_expiry(req.expire_time.as_ref()));
        v.finish()?;
        let scopes = parse_scopes(p, &req.scopes)?;
        let mut tx = self.tx(p).await?;
        let (key, secret) = issue(&mut tx, &name.unwrap(), &scopes, expires_at.unwrap()).await?;
        tx.commit().await?;
        Ok(CreateApiKeyResponse {
            api_key: Some(key),
            secret,
        })
    }

    pub async fn list_api_keys(
        &self,
        p: &Principal,
        req: ListApiKeysRequest,
    ) -> Result<ListApiKeysResponse, ApiError> {
        let page = Page::parse(req.page.as_ref())?;
        let mut tx = self.tx(p).await?;
        let mut sql = page.select(COLUMNS, "api_keys", tx.tenant_id());
        if !req.show_revoked {
            sql.push(" and revoked_at is null");
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &KeyRow| r.id).await?;
        tx.commit().await?;
        Ok(ListApiKeysResponse {
            api_keys: rows.into_iter().map(|r| r.into_pb(p.tenant_id)).collect(),
            page,
        })
    }

    pub async fn revoke_api_key(
        &self,
        p: &Principal,
        req: RevokeApiKeyRequest,
    ) -> Result<RevokeApiKeyResponse, ApiError> {
        let id = ApiKeyId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let key = self.revoke(&mut tx, id).await?;
        tx.commit().await?;
        self.forget_key(id).await;
        Ok(RevokeApiKeyResponse { api_key: Some(key) })
    }

    pub async fn rotate_api_key(
        &self,
        p: &Principal,
        req: RotateApiKeyRequest,
    ) -> Result<RotateApiKeyResponse, ApiError> {
        let id = ApiKeyId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let old = fetch(&mut tx, id).await?;
        parse_scopes(p, &old.permissions)?;
        let expires_at = old.expires_at;
        let (name, scopes) = (old.name.clone(), old.permissions.clone());
        self.revoke(&mut tx, id).await?;
        let (key, secret) = issue(&mut tx, &name, &scopes, expires_at).await?;
        tx.commit().await?;
        self.forget_key(id).await;
        Ok(RotateApiKeyResponse {
            api_key: Some(key),
            secret,
        })
    }

    async fn revoke(&self, tx: &mut TenantTx, id: ApiKeyId) -> Result<pb::ApiKey, ApiError> {
        let current = fetch(tx, id).await?;
        if current.revoked_at.is_some() {
            return Err(ApiError::FailedPrecondition(format!(
                "API key {id} is already revoked"
            )));
        }
        let row: KeyRow = sqlx::query_as(&format!(
            "update api_keys set revoked_at = now() where tenant_id = $1 and id = $2 returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
        let key = row.into_pb(tx.tenant_id());
        emit(tx, outbox::Event::ApiKeyRevoked, &key, id.into()).await?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventkit_platform::auth::{AuthMethod, Permissions};

    fn principal(perms: &[&str]) -> Principal {
        Principal {
            tenant_id: TenantId::new(),
            subject: "t".into(),
            permissions: Permissions::from_names(perms.iter().copied()),
            method: AuthMethod::System,
        }
    }

    #[test]
    fn scopes_only_narrow_the_creator() {
        let admin = principal(&["*"]);
        assert_eq!(
            parse_scopes(&admin, &["inventory:read".into(), "inventory:read".into()]).unwrap(),
            ["inventory:read"]
        );
        assert!(parse_scopes(&admin, &["*".into()]).is_ok());
        let keys_admin = principal(&["admin:keys", "inventory:read"]);
        assert!(parse_scopes(&keys_admin, &["inventory:read".into()]).is_ok());
        assert!(matches!(
            parse_scopes(&keys_admin, &["inventory:write".into()]),
            Err(ApiError::PermissionDenied(_))
        ));
        assert!(matches!(
            parse_scopes(&keys_admin, &["*".into()]),
            Err(ApiError::PermissionDenied(_))
        ));
        assert!(matches!(
            parse_scopes(&admin, &[]),
            Err(ApiError::InvalidArgument(_))
        ));
        assert!(
            matches!(parse_scopes(&admin, &["inventory:fly".into()]), Err(ApiError::InvalidArgument(v)) if v[0].field == "scopes[0]")
        );
    }

    #[test]
    fn expiry_must_be_in_the_future() {
        assert_eq!(parse_expiry(None).unwrap(), None);
        let past = prost_types::Timestamp {
            seconds: 1,
            nanos: 0,
        };
        assert_eq!(parse_expiry(Some(&past)).unwrap_err().field, "expire_time");
        let future = prost_types::Timestamp {
            seconds: Utc::now().timestamp() + 3600,
            nanos: 0,
        };
        assert!(parse_expiry(Some(&future)).unwrap().is_some());
    }
}
