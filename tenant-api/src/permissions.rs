//! The permission each RPC requires, declared once. [`check`] enforces it for
//! every protocol; an RPC missing from the table is refused (fail closed), and a test fails if
//! any RPC of a tenant service has no entry.

use axum::extract::Request;
use eventkit_domain::{FieldViolation, Violations};
use eventkit_platform::{
    ApiError,
    auth::{AuthMethod, Permissions, Principal},
    identity::sessions::AccountAccess,
};

pub use eventkit_domain::permissions::*;

/// Pseudo-permission: anyone may call, without credentials (signing in, invitations, resets).
pub const PUBLIC: &str = "public";
/// Pseudo-permission: any signed-in person, whatever their roles (their own account).
pub const SIGNED_IN: &str = "signed_in";
/// Pseudo-permission: a signed-in person managing their account as a whole (second factor, their
/// tenants) — not through a tenant's own identity provider they never linked by proof.
pub const ACCOUNT: &str = "account";

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

/// `/package.Service/Method` → required permission.
pub const REQUIRED: &[(&str, &str)] = &[
    (
        "/eventkit.v1.InventoryService/CreateProduct",
        INVENTORY_WRITE,
    ),
    ("/eventkit.v1.InventoryService/GetProduct", INVENTORY_READ),
    (
        "/eventkit.v1.InventoryService/UpdateProduct",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/DeleteProduct",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/RestoreProduct",
        INVENTORY_WRITE,
    ),
    ("/eventkit.v1.InventoryService/ListProducts", INVENTORY_READ),
    (
        "/eventkit.v1.InventoryService/CreateLocation",
        INVENTORY_WRITE,
    ),
    ("/eventkit.v1.InventoryService/GetLocation", INVENTORY_READ),
    (
        "/eventkit.v1.InventoryService/ListLocations",
        INVENTORY_READ,
    ),
    ("/eventkit.v1.InventoryService/CreateAsset", INVENTORY_WRITE),
    ("/eventkit.v1.InventoryService/GetAsset", INVENTORY_READ),
    (
        "/eventkit.v1.InventoryService/LookupAssetByCode",
        INVENTORY_READ,
    ),
    ("/eventkit.v1.InventoryService/UpdateAsset", INVENTORY_WRITE),
    ("/eventkit.v1.InventoryService/ListAssets", INVENTORY_READ),
    ("/eventkit.v1.InventoryService/CreateCase", INVENTORY_WRITE),
    ("/eventkit.v1.InventoryService/GetCase", INVENTORY_READ),
    ("/eventkit.v1.InventoryService/ListCases", INVENTORY_READ),
    (
        "/eventkit.v1.InventoryService/AddAssetToCase",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/RemoveAssetFromCase",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/AddCaseToCase",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/RemoveCaseFromCase",
        INVENTORY_WRITE,
    ),
    ("/eventkit.v1.PlanningService/GetProject", PLANNING_READ),
    ("/eventkit.v1.PlanningService/ListProjects", PLANNING_READ),
    ("/eventkit.v1.PlanningService/GetEvent", PLANNING_READ),
    ("/eventkit.v1.PlanningService/ListEvents", PLANNING_READ),
    (
        "/eventkit.v1.PlanningService/ListPullListLines",
        PLANNING_READ,
    ),
    ("/eventkit.v1.PlanningService/ListSubRents", PLANNING_READ),
    (
        "/eventkit.v1.PlanningService/CheckAvailability",
        PLANNING_READ,
    ),
    ("/eventkit.v1.PlanningService/ListShortages", PLANNING_READ),
    ("/eventkit.v1.PlanningService/ListConflicts", PLANNING_READ),
    (
        "/eventkit.v1.PlanningService/GetPlanningSettings",
        PLANNING_READ,
    ),
    ("/eventkit.v1.PlanningService/CreateProject", PLANNING_WRITE),
    ("/eventkit.v1.PlanningService/CreateEvent", PLANNING_WRITE),
    (
        "/eventkit.v1.PlanningService/CreateRecurringEvents",
        PLANNING_WRITE,
    ),
    ("/eventkit.v1.PlanningService/UpdateEvent", PLANNING_WRITE),
    ("/eventkit.v1.PlanningService/DeleteEvent", PLANNING_WRITE),
    ("/eventkit.v1.PlanningService/RestoreEvent", PLANNING_WRITE),
    (
        "/eventkit.v1.PlanningService/TransitionEvent",
        PLANNING_WRITE,
    ),
    (
        "/eventkit.v1.PlanningService/AddPullListLine",
        PLANNING_WRITE,
    ),
    (
        "/eventkit.v1.PlanningService/UpdatePullListLine",
        PLANNING_WRITE,
    ),
    (
        "/eventkit.v1.PlanningService/RemovePullListLine",
        PLANNING_WRITE,
    ),
    ("/eventkit.v1.PlanningService/CreateSubRent", PLANNING_WRITE),
    ("/eventkit.v1.PlanningService/DeleteSubRent", PLANNING_WRITE),
    (
        "/eventkit.v1.PlanningService/UpdatePlanningSettings",
        PLANNING_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/SetStockLevel",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/ListStockLevels",
        INVENTORY_READ,
    ),
    (
        "/eventkit.v1.InventoryService/SetKitComponents",
        INVENTORY_WRITE,
    ),
    ("/eventkit.v1.InventoryService/GetKit", INVENTORY_READ),
    (
        "/eventkit.v1.InventoryService/OpenMaintenanceRecord",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/CloseMaintenanceRecord",
        INVENTORY_WRITE,
    ),
    (
        "/eventkit.v1.InventoryService/ListMaintenanceRecords",
        INVENTORY_READ,
    ),
    ("/eventkit.v1.ScanningService/CheckOut", SCANNING_WRITE),
    ("/eventkit.v1.ScanningService/CheckIn", SCANNING_WRITE),
    (
        "/eventkit.v1.ScanningService/GetEventProgress",
        PLANNING_READ,
    ),
    (
        "/eventkit.v1.ScanningService/ListAssetStatusLog",
        INVENTORY_READ,
    ),
    (
        "/eventkit.v1.ScanningService/StartStocktake",
        SCANNING_WRITE,
    ),
    ("/eventkit.v1.ScanningService/StocktakeScan", SCANNING_WRITE),
    ("/eventkit.v1.ScanningService/GetStocktake", INVENTORY_READ),
    (
        "/eventkit.v1.ScanningService/CloseStocktake",
        SCANNING_WRITE,
    ),
    (
        "/eventkit.v1.HistoryService/ListEntityHistory",
        HISTORY_READ,
    ),
    ("/eventkit.v1.AdminService/CreateApiKey", ADMIN_KEYS),
    ("/eventkit.v1.AdminService/ListApiKeys", ADMIN_KEYS),
    ("/eventkit.v1.AdminService/RevokeApiKey", ADMIN_KEYS),
    ("/eventkit.v1.AdminService/RotateApiKey", ADMIN_KEYS),
    (
        "/eventkit.v1.AdminService/CreateWebhookEndpoint",
        ADMIN_WEBHOOKS,
    ),
    (
        "/eventkit.v1.AdminService/GetWebhookEndpoint",
        ADMIN_WEBHOOKS,
    ),
    (
        "/eventkit.v1.AdminService/ListWebhookEndpoints",
        ADMIN_WEBHOOKS,
    ),
    (
        "/eventkit.v1.AdminService/UpdateWebhookEndpoint",
        ADMIN_WEBHOOKS,
    ),
    (
        "/eventkit.v1.AdminService/DeleteWebhookEndpoint",
        ADMIN_WEBHOOKS,
    ),
    (
        "/eventkit.v1.AdminService/RotateWebhookSecret",
        ADMIN_WEBHOOKS,
    ),
    ("/eventkit.v1.AdminService/SendTestWebhook", ADMIN_WEBHOOKS),
    (
        "/eventkit.v1.AdminService/ListWebhookDeliveries",
        ADMIN_WEBHOOKS,
    ),
    (
        "/eventkit.v1.AdminService/ReplayWebhookDeliveries",
        ADMIN_WEBHOOKS,
    ),
    ("/eventkit.v1.AdminService/GetBranding", ADMIN_SETTINGS),
    ("/eventkit.v1.AdminService/UpdateBranding", ADMIN_SETTINGS),
    ("/eventkit.v1.AdminService/InviteUser", ADMIN_USERS),
    ("/eventkit.v1.AdminService/ListInvitations", ADMIN_USERS),
    ("/eventkit.v1.AdminService/RevokeInvitation", ADMIN_USERS),
    ("/eventkit.v1.AdminService/ListUsers", ADMIN_USERS),
    ("/eventkit.v1.AdminService/GetUser", ADMIN_USERS),
    ("/eventkit.v1.AdminService/SetUserRoles", ADMIN_USERS),
    ("/eventkit.v1.AdminService/RemoveUser", ADMIN_USERS),
    ("/eventkit.v1.AdminService/ListRoles", ADMIN_USERS),
    ("/eventkit.v1.AdminService/CreateRole", ADMIN_USERS),
    ("/eventkit.v1.AdminService/UpdateRole", ADMIN_USERS),
    ("/eventkit.v1.AdminService/DeleteRole", ADMIN_USERS),
    ("/eventkit.v1.AdminService/ListSecurityEvents", ADMIN_AUDIT),
    ("/eventkit.v1.AdminService/GetSsoSettings", ADMIN_USERS),
    ("/eventkit.v1.AdminService/UpdateSsoSettings", ADMIN_USERS),
    (
        "/eventkit.v1.AdminService/StartSsoDomainVerification",
        ADMIN_USERS,
    ),
    ("/eventkit.v1.AdminService/VerifySsoDomain", ADMIN_USERS),
    ("/eventkit.v1.AuthService/StartSsoSignIn", PUBLIC),
    ("/eventkit.v1.AuthService/FinishSsoSignIn", PUBLIC),
    ("/eventkit.v1.AuthService/LinkSsoIdentity", PUBLIC),
    ("/eventkit.v1.AuthService/SignIn", PUBLIC),
    ("/eventkit.v1.AuthService/RefreshSession", PUBLIC),
    ("/eventkit.v1.AuthService/SignOut", PUBLIC),
    ("/eventkit.v1.AuthService/RequestPasswordReset", PUBLIC),
    ("/eventkit.v1.AuthService/ResetPassword", PUBLIC),
    ("/eventkit.v1.AuthService/GetInvitation", PUBLIC),
    ("/eventkit.v1.AuthService/AcceptInvitation", PUBLIC),
    ("/eventkit.v1.AuthService/ListMyTenants", ACCOUNT),
    ("/eventkit.v1.AuthService/StartTotpEnrollment", ACCOUNT),
    ("/eventkit.v1.AuthService/ConfirmTotpEnrollment", ACCOUNT),
    ("/eventkit.v1.AuthService/DisableTotp", ACCOUNT),
];

/// RPCs whose answers carry a secret shown once: their answers are never stored, so
/// `Idempotency-Key` does not apply to them (a retry makes another key; revoke the spare).
const ANSWERS_HOLD_SECRETS: &[&str] = &[
    "/eventkit.v1.AdminService/CreateApiKey",
    "/eventkit.v1.AdminService/RotateApiKey",
    "/eventkit.v1.AdminService/CreateWebhookEndpoint",
    "/eventkit.v1.AdminService/RotateWebhookSecret",
];

/// Reads whose names do not start with Get, List or Lookup.
const OTHER_READS: &[&str] = &["/eventkit.v1.PlanningService/CheckAvailability"];

/// Whether `Idempotency-Key` applies: RPCs that change data (all but Get/List/Lookup and
/// [`OTHER_READS`]) and whose
/// answers may be stored.
pub fn keeps_idempotent_answers(path: &str) -> bool {
    let method = path.rsplit('/').next().unwrap_or_default();
    required(path).is_some_and(|p| ![PUBLIC, SIGNED_IN, ACCOUNT].contains(&p))
        && !OTHER_READS.contains(&path)
        && !["Get", "List", "Lookup"]
            .iter()
            .any(|verb| method.starts_with(verb))
        && !ANSWERS_HOLD_SECRETS.contains(&path)
}

pub fn required(path: &str) -> Option<&'static str> {
    static BY_PATH: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    BY_PATH
        .get_or_init(|| REQUIRED.iter().copied().collect())
        .get(path)
        .copied()
}

/// Step 4 of the request path: refuses the call unless the principal holds the RPC's
/// permission.
pub fn check(request: &Request) -> Result<(), ApiError> {
    let path = request.uri().path();
    if eventkit_platform::auth::is_public_path(path) {
        return Ok(());
    }
    match (required(path), request.extensions().get::<Principal>()) {
        (Some(PUBLIC), _) => Ok(()),
        (Some(SIGNED_IN), Some(principal)) if principal.user_id().is_some() => Ok(()),
        (Some(SIGNED_IN), Some(_)) => Err(ApiError::PermissionDenied(
            "only a signed-in person can call this, not an API key".into(),
        )),
        (Some(ACCOUNT), Some(principal)) => match principal.method {
            AuthMethod::Session {
                account: AccountAccess::Allowed,
                ..
            } => Ok(()),
            AuthMethod::Session { .. } => Err(ApiError::PermissionDenied(
                "this session came through a tenant's own identity provider, which cannot manage \
                 your account (second factor, your other tenants): sign in with your password"
                    .into(),
            )),
            _ => Err(ApiError::PermissionDenied(
                "only a signed-in person can call this, not an API key".into(),
            )),
        },
        (Some(permission), Some(principal)) => principal.require(permission),
        (None, _) => Err(ApiError::PermissionDenied(format!(
            "{path} declares no permission"
        ))),
        (_, None) => Err(ApiError::Unauthenticated("no credentials".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventkit_platform::auth::AuthMethod;

    fn principal(names: &[&str]) -> Principal {
        Principal {
            tenant_id: uuid::Uuid::now_v7(),
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

    #[test]
    fn idempotency_applies_to_mutations_without_secrets() {
        assert!(keeps_idempotent_answers(
            "/eventkit.v1.InventoryService/CreateProduct"
        ));
        assert!(keeps_idempotent_answers(
            "/eventkit.v1.AdminService/RevokeApiKey"
        ));
        assert!(!keeps_idempotent_answers(
            "/eventkit.v1.InventoryService/GetProduct"
        ));
        assert!(!keeps_idempotent_answers(
            "/eventkit.v1.InventoryService/ListAssets"
        ));
        assert!(!keeps_idempotent_answers(
            "/eventkit.v1.AdminService/CreateApiKey"
        ));
        assert!(!keeps_idempotent_answers("/eventkit.v1.Nope/CreateThing"));
        assert!(!keeps_idempotent_answers("/eventkit.v1.AuthService/SignIn"));
        assert!(!keeps_idempotent_answers(
            "/eventkit.v1.AuthService/ConfirmTotpEnrollment"
        ));
        assert!(!keeps_idempotent_answers(
            "/eventkit.v1.AuthService/LinkSsoIdentity"
        ));
        assert!(keeps_idempotent_answers(
            "/eventkit.v1.AdminService/StartSsoDomainVerification"
        ));
        assert!(!keeps_idempotent_answers(
            "/eventkit.v1.PlanningService/CheckAvailability"
        ));
        assert!(keeps_idempotent_answers(
            "/eventkit.v1.PlanningService/TransitionEvent"
        ));
    }

    #[test]
    fn every_tenant_rpc_declares_a_permission() {
        let pool = eventkit_proto::descriptor_pool();
        for service in eventkit_proto::TENANT_API_SERVICES {
            for method in pool
                .get_service_by_name(service)
                .expect("service")
                .methods()
            {
                let path = format!("/{service}/{}", method.name());
                assert!(
                    required(&path).is_some(),
                    "{path} has no entry in permissions::REQUIRED"
                );
            }
        }
    }

    #[test]
    fn each_rpc_is_declared_once() {
        let mut seen = std::collections::HashSet::new();
        for (path, _) in REQUIRED {
            assert!(seen.insert(path), "{path} is declared twice in REQUIRED");
        }
    }
}
