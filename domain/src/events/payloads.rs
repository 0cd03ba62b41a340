//! The data of the events that carry an object of their own rather than an API message
//! ([`super::Payload::Object`] names these types). Their JSON is what webhook receivers and our
//! consumers read, so the field names (lowerCamelCase) and the formats are the wire contract:
//! ids are strings, times in emails are `YYYY-MM-DD HH:MM UTC`.

use crate::ids::{
    AssetId, CaseId, EventId, ExportId, LocationId, ProductId, RoleId, StocktakeId, TenantId,
    UserId, WebhookEndpointId,
};
use crate::{
    inventory::AssetStatus, lifecycle::TenantState, planning::EventStatus, quota::QuotaKey,
};
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

/// These enums travel as their stored names (`checked_out`, `pending_deletion`, ...).
macro_rules! serialize_as_str {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(AssetStatus, EventStatus, QuotaKey, TenantState);

/// A time as emails show it: `2026-11-22 04:00 UTC`.
fn to_the_minute<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.format("%Y-%m-%d %H:%M UTC"))
}

/// `asset.status_changed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetStatusChanged {
    pub asset_id: AssetId,
    /// The stored status before (as read from the row).
    pub from: String,
    pub to: AssetStatus,
    /// The event the change happened for (a scan's), if any.
    pub event_id: Option<EventId>,
    pub reason: String,
}

/// `case.asset_added`, `case.asset_removed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseAssetMoved {
    pub case_id: CaseId,
    pub asset_id: AssetId,
    pub previous_case_id: Option<CaseId>,
}

/// `case.case_added`, `case.case_removed`: `child_case_id` went into or out of `case_id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseCaseMoved {
    pub case_id: CaseId,
    pub child_case_id: CaseId,
    pub previous_case_id: Option<CaseId>,
}

/// `stock.low`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StockLow {
    pub product_id: ProductId,
    pub location_id: LocationId,
    /// The units not in repair.
    pub quantity: i32,
    pub reorder_level: i32,
}

/// `event.status_changed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventStatusChanged {
    pub event_id: EventId,
    pub from: EventStatus,
    pub to: EventStatus,
    /// Consumables used up on the way to `returned`; absent when none were.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumed: Vec<Consumed>,
}

/// Units of a consumable an event used up.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consumed {
    pub product_id: ProductId,
    pub quantity: i32,
}

/// `scan.created`: the scan's answer (`R`, the API's `ScanResult` as JSON) with what the scan
/// was for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanCreated<R> {
    #[serde(flatten)]
    pub result: R,
    /// `check_out`, `check_in` or `stocktake`.
    pub kind: &'static str,
    #[serde(flatten)]
    pub target: ScanTarget,
    pub client_scan_id: String,
}

/// What a scan counted for: `eventId` or `stocktakeId` in the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ScanTarget {
    EventId(EventId),
    StocktakeId(StocktakeId),
}

/// `role.created`, `role.updated`, `role.deleted`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleChanged {
    pub id: RoleId,
    pub name: String,
    pub permissions: Vec<String>,
}

/// `user.roles_changed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRolesChanged {
    pub user_id: UserId,
    pub role_ids: Vec<RoleId>,
}

/// `user.removed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRemoved {
    pub user_id: UserId,
}

/// `webhook_endpoint.disabled`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookEndpointDisabled {
    pub id: WebhookEndpointId,
    pub url: String,
    pub reason: String,
}

/// `webhook.test`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTest {
    pub endpoint_id: WebhookEndpointId,
    pub message: String,
}

/// `quota.warning`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaWarning {
    pub tenant_id: TenantId,
    pub quota: QuotaKey,
    /// 80 or 100.
    pub threshold_percent: u32,
    pub used: u64,
    pub limit: Option<u64>,
    pub hard_cap: Option<u64>,
    /// `YYYY-MM-DD` for daily quotas, else `YYYY-MM`.
    pub period: String,
}

/// `email.requested`: `message` names the template, `vars` fill it. The link an email carries
/// is never here (docs/adr/0033).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailRequested {
    #[serde(flatten)]
    pub message: EmailMessage,
    pub to: Vec<String>,
}

/// The emails other services ask for, with their variables.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "message",
    content = "vars",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum EmailMessage {
    Invitation {
        inviter_name: Option<String>,
        #[serde(serialize_with = "to_the_minute")]
        expires_at: DateTime<Utc>,
    },
    SsoIdentityLinked {
        issuer: String,
        /// How the link was proven (`password`, `platform`, ...).
        proof: &'static str,
        #[serde(serialize_with = "to_the_minute")]
        linked_at: DateTime<Utc>,
    },
}

/// `tenant.signup_requested`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantSignupRequested {
    pub tenant_id: TenantId,
    pub company_name: String,
    pub admin_email: Option<String>,
    pub plan: String,
}

/// `tenant.provisioned`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantProvisioned {
    pub tenant_id: TenantId,
    pub name: String,
    pub plan: String,
    pub admin_email: Option<String>,
    pub settings: ProvisionedSettings,
}

/// The settings a tenant starts with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionedSettings {
    pub currency: String,
    pub locale: String,
    pub time_zone: String,
    pub tax_rate_bp: i32,
}

/// `tenant.approved`, `tenant.suspended`, `tenant.resumed`, `tenant.deletion_requested`,
/// `tenant.deletion_cancelled`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantStateChanged {
    pub tenant_id: TenantId,
    pub from: TenantState,
    pub to: TenantState,
    /// When the tenant will be erased; only while a deletion is pending (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "rfc3339")]
    pub deletion_due_time: Option<DateTime<Utc>>,
}

fn rfc3339<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// `tenant.plan_changed`: plan keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantPlanChanged {
    pub tenant_id: TenantId,
    pub from: String,
    pub to: String,
}

/// `export.requested`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequested {
    pub export_id: ExportId,
    pub tenant_id: TenantId,
}

/// `export.ready`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportReady {
    pub export_id: ExportId,
    /// When the download link stops working.
    #[serde(serialize_with = "to_the_minute")]
    pub expires_at: DateTime<Utc>,
    pub size_bytes: u64,
    pub rows: i64,
}

/// `export.failed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFailed {
    pub export_id: ExportId,
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn json_of(payload: impl Serialize) -> Value {
        serde_json::to_value(payload).unwrap()
    }

    #[test]
    fn ids_are_strings_and_enums_their_stored_names() {
        let (asset, event) = (AssetId::new(), EventId::new());
        let changed = AssetStatusChanged {
            asset_id: asset,
            from: "available".into(),
            to: AssetStatus::CheckedOut,
            event_id: Some(event),
            reason: "check_out".into(),
        };
        assert_eq!(
            json_of(changed),
            json!({"assetId": asset.to_string(), "from": "available", "to": "checked_out",
                   "eventId": event.to_string(), "reason": "check_out"})
        );
        let case = CaseId::new();
        let moved = CaseAssetMoved {
            case_id: case,
            asset_id: asset,
            previous_case_id: None,
        };
        assert_eq!(json_of(moved)["previousCaseId"], Value::Null);
    }

    #[test]
    fn optional_parts_are_left_out_when_absent() {
        let tenant = TenantId::new();
        let resumed = TenantStateChanged {
            tenant_id: tenant,
            from: TenantState::Suspended,
            to: TenantState::Active,
            deletion_due_time: None,
        };
        assert_eq!(
            json_of(resumed),
            json!({"tenantId": tenant.to_string(), "from": "suspended", "to": "active"})
        );
        let due = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let pending = TenantStateChanged {
            tenant_id: tenant,
            from: TenantState::Active,
            to: TenantState::PendingDeletion,
            deletion_due_time: Some(due),
        };
        assert_eq!(
            json_of(pending)["deletionDueTime"],
            "2027-01-15T08:00:00+00:00"
        );
        let status = EventStatusChanged {
            event_id: EventId::new(),
            from: EventStatus::Out,
            to: EventStatus::Returned,
            consumed: Vec::new(),
        };
        assert!(json_of(status).get("consumed").is_none());
    }

    #[test]
    fn an_email_request_names_its_message_and_vars() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let invitation = EmailRequested {
            message: EmailMessage::Invitation {
                inviter_name: Some("Petra".into()),
                expires_at: at,
            },
            to: vec!["x@y.example".into()],
        };
        assert_eq!(
            json_of(invitation),
            json!({"message": "invitation", "to": ["x@y.example"],
                   "vars": {"inviterName": "Petra", "expiresAt": "2027-01-15 08:00 UTC"}})
        );
        let linked = EmailRequested {
            message: EmailMessage::SsoIdentityLinked {
                issuer: "https://idp.example".into(),
                proof: "password",
                linked_at: at,
            },
            to: vec!["x@y.example".into()],
        };
        assert_eq!(
            json_of(linked)["vars"],
            json!({"issuer": "https://idp.example", "proof": "password", "linkedAt": "2027-01-15 08:00 UTC"})
        );
    }

    #[test]
    fn a_scan_adds_its_kind_and_target_to_the_answer() {
        let target = StocktakeId::new();
        let scan = ScanCreated {
            result: json!({"outcome": "SCAN_OUTCOME_DONE", "message": "ok"}),
            kind: "stocktake",
            target: ScanTarget::StocktakeId(target),
            client_scan_id: "c1".into(),
        };
        assert_eq!(
            json_of(scan),
            json!({"outcome": "SCAN_OUTCOME_DONE", "message": "ok", "kind": "stocktake",
                   "stocktakeId": target.to_string(), "clientScanId": "c1"})
        );
    }
}
