//! Who is calling, for which tenant, allowed to do what.

use crate::{ApiError, db::Actor, identity::sessions::AccountAccess};
use eventkit_domain::ids::{TenantId, UserId};
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    ApiKey {
        key_id: Uuid,
    },
    Jwt,
    /// A person signed in with a session (access token from our own issuer), which may or may
    /// not manage their account as a whole.
    Session {
        user_id: UserId,
        account: AccountAccess,
    },
    /// Work the platform does itself (demo data, maintenance), never a network caller.
    System,
}

/// The permissions a principal holds: `*` grants everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    All,
    Only(BTreeSet<String>),
}

impl Permissions {
    pub fn from_names<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        let set: BTreeSet<String> = names.into_iter().map(Into::into).collect();
        if set.contains("*") {
            Self::All
        } else {
            Self::Only(set)
        }
    }

    pub fn allows(&self, permission: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(set) => set.contains(permission),
        }
    }

    /// The permissions by name, every one of them spelled out for [`Permissions::All`].
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::All => eventkit_domain::permissions::ALL
                .iter()
                .map(|p| p.to_string())
                .collect(),
            Self::Only(set) => set.iter().cloned().collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: TenantId,
    /// Stable id of the caller: `api_key:<id>` or the JWT `sub`.
    pub subject: String,
    pub permissions: Permissions,
    pub method: AuthMethod,
}

impl Principal {
    /// The actor recorded on rows and events written for this principal.
    pub fn actor(&self) -> Actor {
        Actor(self.subject.clone())
    }

    /// The signed-in person, for session principals.
    pub fn user_id(&self) -> Option<UserId> {
        match self.method {
            AuthMethod::Session { user_id, .. } => Some(user_id),
            _ => None,
        }
    }

    /// Fails with `permission_denied` naming the missing permission.
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        if self.permissions.allows(permission) {
            Ok(())
        } else {
            Err(ApiError::PermissionDenied(format!(
                "this credential lacks the permission {permission}"
            )))
        }
    }

    /// The principal the middleware attached to a tonic request.
    pub fn of<T>(request: &tonic::Request<T>) -> Result<&Principal, tonic::Status> {
        request.extensions().get::<Principal>().ok_or_else(|| {
            tonic::Status::unauthenticated(
                "no credentials: send Authorization: Bearer <API key or token>",
            )
        })
    }
}

/// A principal's statements run for its tenant, recorded as its subject.
impl crate::db::Tenancy for Principal {
    fn tenant(&self) -> TenantId {
        self.tenant_id
    }

    fn actor(&self) -> Actor {
        Principal::actor(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_grants_everything_and_sets_are_exact() {
        assert!(Permissions::from_names(["*"]).allows("inventory:write"));
        let only = Permissions::from_names(["inventory:read"]);
        assert!(only.allows("inventory:read"));
        assert!(!only.allows("inventory:write"));
    }
}
