//! The permission each RPC requires, declared once. The `authorize` middleware enforces it for
//! every protocol; an RPC missing from the table is refused (fail closed), and a test fails if
//! any RPC of a tenant service has no entry.

use axum::{body::Body, extract::Request, middleware::Next, response::Response};
use eventkit_platform::{ApiError, auth::Principal};

pub const INVENTORY_READ: &str = "inventory:read";
pub const INVENTORY_WRITE: &str = "inventory:write";
pub const ADMIN_KEYS: &str = "admin:keys";
pub const ADMIN_WEBHOOKS: &str = "admin:webhooks";
pub const ADMIN_SETTINGS: &str = "admin:settings";
pub const PLANNING_READ: &str = "planning:read";
pub const PLANNING_WRITE: &str = "planning:write";
pub const SCANNING_WRITE: &str = "scanning:write";
pub const HISTORY_READ: &str = "history:read";

/// Every permission name a key or role can hold.
pub const ALL: &[&str] = &[
    INVENTORY_READ,
    INVENTORY_WRITE,
    ADMIN_KEYS,
    ADMIN_WEBHOOKS,
    ADMIN_SETTINGS,
    PLANNING_READ,
    PLANNING_WRITE,
    SCANNING_WRITE,
    HISTORY_READ,
];

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
    required(path).is_some()
        && !OTHER_READS.contains(&path)
        && !["Get", "List", "Lookup"]
            .iter()
            .any(|verb| method.starts_with(verb))
        && !ANSWERS_HOLD_SECRETS.contains(&path)
}

pub fn required(path: &str) -> Option<&'static str> {
    REQUIRED
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, perm)| *perm)
}

/// Refuses the call unless the principal holds the RPC's permission.
pub async fn authorize(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if eventkit_platform::auth::is_public_path(path) {
        return next.run(request).await;
    }
    let verdict = match (required(path), request.extensions().get::<Principal>()) {
        (Some(permission), Some(principal)) => principal.require(permission),
        (None, _) => Err(ApiError::PermissionDenied(format!(
            "{path} declares no permission"
        ))),
        (_, None) => Err(ApiError::Unauthenticated("no credentials".into())),
    };
    match verdict {
        Ok(()) => next.run(request).await,
        Err(err) => tonic::Status::from(err).into_http::<Body>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for service in eventkit_proto::TENANT_SERVICES {
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
}
