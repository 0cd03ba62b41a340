//! Granting permissions: the names a grant may hold and the one "grant only what you hold"
//! rule. Which permission each RPC requires is declared on the RPC in the proto (its
//! `(eventkit.v1.rule)` option) and checked by the gate in `eventkit_platform::rpc::gate`.

use eventkit_domain::{FieldViolation, Violations};
use eventkit_platform::{
    ApiError,
    auth::{Permissions, Principal},
};

pub use eventkit_domain::permissions::*;

/// Checks permission names to grant (to an API key or a role, `what`): at least one, each
/// known (or `*`) and held by the granter ([`require_held`]).
pub fn grantable(
    principal: &Principal,
    field: &str,
    what: &str,
    names: &[String],
) -> Result<Vec<String>, ApiError> {
    if names.is_empty() {
        return Err(FieldViolation::new(
            field,
            "name at least one permission, e.g. inventory:read",
        )
        .into());
    }
    let mut v = Violations::new();
    for (i, name) in names.iter().enumerate() {
        if !is_known(name) {
            v.push(FieldViolation::new(
                format!("{field}[{i}]"),
                format!("unknown permission {name:?}; known: {}", ALL.join(", ")),
            ));
        }
    }
    v.finish()?;
    require_held(principal, what, names.iter().map(String::as_str))?;
    let mut names = names.to_vec();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The one "grant only what you hold" rule, for every grant: a key's scopes, a role's
/// permissions, and roles given to people (invitations, role changes, the SSO default role) —
/// a grant can only narrow what its maker may do. Refuses with `permission_denied` naming the
/// first permission of `granted` (given through `what`) that the principal does not hold; `*`
/// is held only by a principal who holds every permission.
pub fn require_held<'a>(
    principal: &Principal,
    what: &str,
    granted: impl IntoIterator<Item = &'a str>,
) -> Result<(), ApiError> {
    for name in granted {
        let held = if name == "*" {
            principal.permissions == Permissions::All
        } else {
            principal.permissions.allows(name)
        };
        if !held {
            return Err(ApiError::PermissionDenied(format!(
                "you cannot grant {name} ({what}): you do not hold it"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventkit_platform::auth::AuthMethod;

    fn principal(names: &[&str]) -> Principal {
        Principal {
            tenant_id: eventkit_domain::ids::TenantId::new(),
            subject: "t".into(),
            permissions: Permissions::from_names(names.iter().copied()),
            method: AuthMethod::System,
        }
    }

    #[test]
    fn grants_need_every_permission_held_and_star_needs_all() {
        let users = principal(&["admin:users", "inventory:read"]);
        assert!(require_held(&users, "a role", ["inventory:read", "admin:users"]).is_ok());
        assert!(require_held(&users, "a role", []).is_ok());
        let refused = require_held(&users, "the role Admin", ["inventory:read", "*"]);
        assert!(
            matches!(&refused, Err(ApiError::PermissionDenied(m)) if m.contains("grant * (the role Admin)")),
            "{refused:?}"
        );
        let every = principal(ALL);
        assert!(require_held(&every, "a role", ALL.iter().copied()).is_ok());
        assert!(
            require_held(&every, "a role", ["*"]).is_err(),
            "every named permission is not `*`"
        );
        assert!(require_held(&principal(&["*"]), "a role", ["*", "billing:manage"]).is_ok());
    }
}
