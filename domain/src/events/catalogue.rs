//! The catalogue itself: one row per event type, grouped as the docs table is.
//! `Variant => "wire.name", Audience, Payload, "When it happens.";`

use super::{
    Audience, Entry,
    Payload::{Message, Object},
};

catalogue! {
    // Inventory
    ProductCreated => "product.created", Webhooks, Message("eventkit.v1.Product"), "A product was created.";
    ProductUpdated => "product.updated", Webhooks, Message("eventkit.v1.Product"), "A product was changed.";
    ProductDeleted => "product.deleted", Webhooks, Message("eventkit.v1.Product"), "A product was deleted (it can be restored).";
    ProductRestored => "product.restored", Webhooks, Message("eventkit.v1.Product"), "A deleted product was restored.";
    LocationCreated => "location.created", Webhooks, Message("eventkit.v1.Location"), "A location was created.";
    AssetCreated => "asset.created", Webhooks, Message("eventkit.v1.Asset"), "An asset was created.";
    AssetUpdated => "asset.updated", Webhooks, Message("eventkit.v1.Asset"), "An asset was changed.";
    AssetStatusChanged => "asset.status_changed", Webhooks, Object("AssetStatusChanged"), "An asset's status changed: by an update, a scan or maintenance.";
    CaseCreated => "case.created", Webhooks, Message("eventkit.v1.Case"), "A case was created.";
    CaseAssetAdded => "case.asset_added", Webhooks, Object("CaseAssetMoved"), "An asset was put into a case.";
    CaseAssetRemoved => "case.asset_removed", Webhooks, Object("CaseAssetMoved"), "An asset was taken out of a case, also when a temporary case is unpacked at check-in.";
    CaseCaseAdded => "case.case_added", Webhooks, Object("CaseCaseMoved"), "A case was put into another case.";
    CaseCaseRemoved => "case.case_removed", Webhooks, Object("CaseCaseMoved"), "A case was taken out of another case.";
    KitUpdated => "kit.updated", Webhooks, Message("eventkit.v1.Kit"), "A kit's components were set.";
    StockLevelCreated => "stock_level.created", Webhooks, Message("eventkit.v1.StockLevel"), "A bulk product got a stock level at a location.";
    StockLevelUpdated => "stock_level.updated", Webhooks, Message("eventkit.v1.StockLevel"), "A stock level changed: set, or consumables used up.";
    StockLow => "stock.low", Webhooks, Object("StockLow"), "The units not in repair at a location fell to the reorder level (once per crossing).";
    MaintenanceRecordCreated => "maintenance_record.created", Webhooks, Message("eventkit.v1.MaintenanceRecord"), "A maintenance record was opened.";
    MaintenanceRecordUpdated => "maintenance_record.updated", Webhooks, Message("eventkit.v1.MaintenanceRecord"), "A maintenance record was changed or closed.";
    // Planning
    ProjectCreated => "project.created", Webhooks, Message("eventkit.v1.Project"), "A project was created.";
    EventCreated => "event.created", Webhooks, Message("eventkit.v1.Event"), "An event was created (also each one of a recurring series).";
    EventUpdated => "event.updated", Webhooks, Message("eventkit.v1.Event"), "An event was changed, or moved to another status.";
    EventDeleted => "event.deleted", Webhooks, Message("eventkit.v1.Event"), "An event was deleted (it can be restored).";
    EventRestored => "event.restored", Webhooks, Message("eventkit.v1.Event"), "A deleted event was restored.";
    EventStatusChanged => "event.status_changed", Webhooks, Object("EventStatusChanged"), "An event moved to another status.";
    PullListLineCreated => "pull_list_line.created", Webhooks, Message("eventkit.v1.PullListLine"), "A line was added to an event's pull list.";
    PullListLineUpdated => "pull_list_line.updated", Webhooks, Message("eventkit.v1.PullListLine"), "A pull-list line was changed.";
    PullListLineDeleted => "pull_list_line.deleted", Webhooks, Message("eventkit.v1.PullListLine"), "A pull-list line was removed.";
    PlanningSettingsUpdated => "planning_settings.updated", Webhooks, Message("eventkit.v1.PlanningSettings"), "The tenant's planning settings were changed.";
    SubRentCreated => "sub_rent.created", Webhooks, Message("eventkit.v1.SubRent"), "A sub-rent was recorded.";
    SubRentDeleted => "sub_rent.deleted", Webhooks, Message("eventkit.v1.SubRent"), "A sub-rent was removed.";
    // Scanning
    ScanCreated => "scan.created", Webhooks, Object("ScanCreated"), "A scan was answered (check-out, check-in or stocktake).";
    StocktakeCreated => "stocktake.created", Webhooks, Message("eventkit.v1.Stocktake"), "A stocktake was started.";
    StocktakeClosed => "stocktake.closed", Webhooks, Message("eventkit.v1.Stocktake"), "A stocktake was closed.";
    // Administration
    ApiKeyCreated => "api_key.created", Webhooks, Message("eventkit.v1.ApiKey"), "An API key was created.";
    ApiKeyRevoked => "api_key.revoked", Webhooks, Message("eventkit.v1.ApiKey"), "An API key was revoked.";
    RoleCreated => "role.created", Webhooks, Object("RoleChanged"), "A role was created.";
    RoleUpdated => "role.updated", Webhooks, Object("RoleChanged"), "A role was changed.";
    RoleDeleted => "role.deleted", Webhooks, Object("RoleChanged"), "A role was deleted.";
    UserRolesChanged => "user.roles_changed", Webhooks, Object("UserRolesChanged"), "A member was given other roles.";
    UserRemoved => "user.removed", Webhooks, Object("UserRemoved"), "A member was removed from the tenant.";
    BrandingUpdated => "branding.updated", Webhooks, Message("eventkit.v1.Branding"), "The tenant's branding was changed.";
    WebhookEndpointCreated => "webhook_endpoint.created", Webhooks, Message("eventkit.v1.WebhookEndpoint"), "A webhook endpoint was registered.";
    WebhookEndpointUpdated => "webhook_endpoint.updated", Webhooks, Message("eventkit.v1.WebhookEndpoint"), "A webhook endpoint was changed.";
    WebhookEndpointDeleted => "webhook_endpoint.deleted", Webhooks, Message("eventkit.v1.WebhookEndpoint"), "A webhook endpoint was deleted.";
    WebhookEndpointSecretRotated => "webhook_endpoint.secret_rotated", Webhooks, Message("eventkit.v1.WebhookEndpoint"), "A webhook endpoint's secret was rotated.";
    WebhookEndpointDisabled => "webhook_endpoint.disabled", Webhooks, Object("WebhookEndpointDisabled"), "A webhook endpoint was disabled by its failures (410 Gone, or 5 days without a success).";
    WebhookTest => "webhook.test", Webhooks, Object("WebhookTest"), "Sent by `SendTestWebhook` to the endpoint it names, whatever that endpoint subscribed to.";
    QuotaWarning => "quota.warning", Webhooks, Object("QuotaWarning"), "A quota reached 80 % or 100 % of its limit (once per threshold and period).";
    EmailRequested => "email.requested", Workers, Object("EmailRequested"), "Asks the mailer for an email (an invitation, a new sign-in link) to the addresses it names.";
    // Control plane
    TenantSignupRequested => "tenant.signup_requested", Workers, Object("TenantSignupRequested"), "Someone signed a company up; asks the mailer to verify the admin's address.";
    TenantApproved => "tenant.approved", Webhooks, Object("TenantStateChanged"), "An operator approved the tenant's sign-up.";
    TenantProvisioned => "tenant.provisioned", Webhooks, Object("TenantProvisioned"), "The tenant was set up and is active.";
    TenantSuspended => "tenant.suspended", Webhooks, Object("TenantStateChanged"), "The tenant was suspended.";
    TenantResumed => "tenant.resumed", Webhooks, Object("TenantStateChanged"), "The tenant's suspension ended.";
    TenantDeletionRequested => "tenant.deletion_requested", Webhooks, Object("TenantStateChanged"), "The tenant's deletion was asked for; it happens at `deletionDueTime` unless cancelled.";
    TenantDeletionCancelled => "tenant.deletion_cancelled", Webhooks, Object("TenantStateChanged"), "The tenant's deletion was cancelled.";
    TenantPlanChanged => "tenant.plan_changed", Webhooks, Object("TenantPlanChanged"), "An operator moved the tenant to another plan.";
    ExportRequested => "export.requested", Workers, Object("ExportRequested"), "Asks the workers for a copy of all the tenant's data.";
    ExportReady => "export.ready", Workers, Object("ExportReady"), "An export was written; asks the mailer to send its download link.";
    ExportFailed => "export.failed", Workers, Object("ExportFailed"), "An export failed for good.";
}
