//! Cache invalidation across processes: when a key is revoked (or a tenant's state changes), the
//! process that made the change publishes on NATS, and every tenant-api process drops the cached
//! entry at once instead of waiting for its TTL. Core NATS (at most once) is enough: the caches'
//! short TTLs remain the fallback when a message is missed.

use super::{api_key::ApiKeyVerifier, tenant_state::TenantStates};
use crate::identity::memberships::MemberPermissions;
use eventkit_domain::ids::{TenantId, UserId};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const SUBJECT: &str = "eventkit.auth.invalidate";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum Invalidation {
    ApiKey {
        key_id: Uuid,
    },
    Tenant {
        tenant_id: TenantId,
    },
    /// A member's roles changed or they were removed.
    Member {
        tenant_id: TenantId,
        user_id: UserId,
    },
}

/// Tells every process; a failure is logged, not returned (the TTL still bounds staleness).
pub async fn publish(nats: &async_nats::Client, invalidation: &Invalidation) {
    let payload = serde_json::to_vec(invalidation).expect("serialisable");
    if let Err(err) = nats.publish(SUBJECT, payload.into()).await {
        tracing::warn!(error = %err, ?invalidation, "publishing a cache invalidation failed; caches expire on their own");
    }
}

/// Applies invalidations from every process to this process's caches, for as long as it runs.
pub fn spawn_listener(
    nats: async_nats::Client,
    keys: ApiKeyVerifier,
    tenants: TenantStates,
    members: Option<MemberPermissions>,
) {
    tokio::spawn(async move {
        let mut messages = match nats.subscribe(SUBJECT).await {
            Ok(subscription) => subscription,
            Err(err) => {
                return tracing::warn!(error = %err, "cannot listen for cache invalidations; caches expire on their own");
            }
        };
        while let Some(message) = messages.next().await {
            match serde_json::from_slice::<Invalidation>(&message.payload) {
                Ok(Invalidation::ApiKey { key_id }) => keys.forget(key_id),
                Ok(Invalidation::Tenant { tenant_id }) => tenants.forget(tenant_id).await,
                Ok(Invalidation::Member { tenant_id, user_id }) => {
                    if let Some(members) = &members {
                        members.forget(tenant_id, user_id).await;
                    }
                }
                Err(err) => tracing::warn!(error = %err, "ignoring a malformed cache invalidation"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_tagged_json() {
        let id = Uuid::nil();
        let json = serde_json::to_string(&Invalidation::ApiKey { key_id: id }).unwrap();
        assert_eq!(json, format!(r#"{{"kind":"apiKey","keyId":"{id}"}}"#));
        assert_eq!(
            serde_json::from_str::<Invalidation>(&json).unwrap(),
            Invalidation::ApiKey { key_id: id }
        );
        let member = Invalidation::Member {
            tenant_id: TenantId::from_uuid(id),
            user_id: UserId::from_uuid(id),
        };
        let json = serde_json::to_string(&member).unwrap();
        assert_eq!(
            json,
            format!(r#"{{"kind":"member","tenantId":"{id}","userId":"{id}"}}"#)
        );
        assert_eq!(serde_json::from_str::<Invalidation>(&json).unwrap(), member);
    }
}
