//! The typed outbox event: one variant per catalogue entry ([`EventType`]), holding the data
//! that event carries, so emitting an event with the wrong data does not compile. `domain`
//! knows no proto types, so the catalogue names each event's data and this module pairs it with
//! the Rust type; a test checks both say the same.

use super::proto_json;
use eventkit_domain::events::{EventType, Payload, payloads::*};
use eventkit_proto::eventkit::v1 as pb;
use serde_json::Value;

/// What an event can carry: an API message (proto3 JSON) or one of the catalogue's payloads.
pub trait EventData {
    /// What the catalogue must declare for an event carrying this.
    const PAYLOAD: Payload;
    fn to_json(&self) -> Value;
}

/// The `eventkit.v1` messages events carry.
macro_rules! api_messages {
    ($($message:ident),* $(,)?) => {$(
        impl EventData for pb::$message {
            const PAYLOAD: Payload = Payload::Message(concat!("eventkit.v1.", stringify!($message)));
            fn to_json(&self) -> Value {
                proto_json(self, concat!("eventkit.v1.", stringify!($message)))
            }
        }
    )*};
}
api_messages!(
    ApiKey,
    Asset,
    Branding,
    Case,
    Event,
    Kit,
    Location,
    MaintenanceRecord,
    PlanningSettings,
    Product,
    Project,
    PullListLine,
    StockLevel,
    Stocktake,
    SubRent,
    WebhookEndpoint,
);

/// The catalogue's own payloads, serialised as declared.
macro_rules! objects {
    ($($object:ident),* $(,)?) => {$(
        impl EventData for $object {
            const PAYLOAD: Payload = Payload::Object(stringify!($object));
            fn to_json(&self) -> Value {
                serde_json::to_value(self).expect("payloads serialise")
            }
        }
    )*};
}
objects!(
    AssetStatusChanged,
    CaseAssetMoved,
    CaseCaseMoved,
    EmailRequested,
    EventStatusChanged,
    ExportFailed,
    ExportReady,
    ExportRequested,
    QuotaWarning,
    RoleChanged,
    StockLow,
    TenantPlanChanged,
    TenantProvisioned,
    TenantSignupRequested,
    TenantStateChanged,
    UserRemoved,
    UserRolesChanged,
    WebhookEndpointDisabled,
    WebhookTest,
);

/// A scan's answer is the API's `ScanResult` with what the scan was for.
impl EventData for ScanCreated<pb::ScanResult> {
    const PAYLOAD: Payload = Payload::Object("ScanCreated");
    fn to_json(&self) -> Value {
        let with_json = ScanCreated {
            result: proto_json(&self.result, "eventkit.v1.ScanResult"),
            kind: self.kind,
            target: self.target,
            client_scan_id: self.client_scan_id.clone(),
        };
        serde_json::to_value(with_json).expect("payloads serialise")
    }
}

/// Declares [`Event`] from `Variant(Data)` pairs; the variants are the catalogue's.
macro_rules! events {
    ($($variant:ident($data:ty)),* $(,)?) => {
        /// An event with its data, ready for [`super::emit`].
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $($variant($data),)*
        }

        impl Event {
            pub fn event_type(&self) -> EventType {
                match self {
                    $(Event::$variant(_) => EventType::$variant,)*
                }
            }

            /// The event's `data`, as stored in the outbox and sent to webhooks.
            pub fn data(&self) -> Value {
                match self {
                    $(Event::$variant(data) => data.to_json(),)*
                }
            }
        }

        /// The data an event type carries here; exhaustive, so every catalogue entry has a
        /// variant.
        #[cfg(test)]
        fn payload_of(event_type: EventType) -> Payload {
            match event_type {
                $(EventType::$variant => <$data as EventData>::PAYLOAD,)*
            }
        }
    };
}

events! {
    ProductCreated(pb::Product),
    ProductUpdated(pb::Product),
    ProductDeleted(pb::Product),
    ProductRestored(pb::Product),
    LocationCreated(pb::Location),
    AssetCreated(pb::Asset),
    AssetUpdated(pb::Asset),
    AssetStatusChanged(AssetStatusChanged),
    CaseCreated(pb::Case),
    CaseAssetAdded(CaseAssetMoved),
    CaseAssetRemoved(CaseAssetMoved),
    CaseCaseAdded(CaseCaseMoved),
    CaseCaseRemoved(CaseCaseMoved),
    KitUpdated(pb::Kit),
    StockLevelCreated(pb::StockLevel),
    StockLevelUpdated(pb::StockLevel),
    StockLow(StockLow),
    MaintenanceRecordCreated(pb::MaintenanceRecord),
    MaintenanceRecordUpdated(pb::MaintenanceRecord),
    ProjectCreated(pb::Project),
    EventCreated(pb::Event),
    EventUpdated(pb::Event),
    EventDeleted(pb::Event),
    EventRestored(pb::Event),
    EventStatusChanged(EventStatusChanged),
    PullListLineCreated(pb::PullListLine),
    PullListLineUpdated(pb::PullListLine),
    PullListLineDeleted(pb::PullListLine),
    PlanningSettingsUpdated(pb::PlanningSettings),
    SubRentCreated(pb::SubRent),
    SubRentDeleted(pb::SubRent),
    ScanCreated(ScanCreated<pb::ScanResult>),
    StocktakeCreated(pb::Stocktake),
    StocktakeClosed(pb::Stocktake),
    ApiKeyCreated(pb::ApiKey),
    ApiKeyRevoked(pb::ApiKey),
    RoleCreated(RoleChanged),
    RoleUpdated(RoleChanged),
    RoleDeleted(RoleChanged),
    UserRolesChanged(UserRolesChanged),
    UserRemoved(UserRemoved),
    BrandingUpdated(pb::Branding),
    WebhookEndpointCreated(pb::WebhookEndpoint),
    WebhookEndpointUpdated(pb::WebhookEndpoint),
    WebhookEndpointDeleted(pb::WebhookEndpoint),
    WebhookEndpointSecretRotated(pb::WebhookEndpoint),
    WebhookEndpointDisabled(WebhookEndpointDisabled),
    WebhookTest(WebhookTest),
    QuotaWarning(QuotaWarning),
    EmailRequested(EmailRequested),
    TenantSignupRequested(TenantSignupRequested),
    TenantApproved(TenantStateChanged),
    TenantProvisioned(TenantProvisioned),
    TenantSuspended(TenantStateChanged),
    TenantResumed(TenantStateChanged),
    TenantDeletionRequested(TenantStateChanged),
    TenantDeletionCancelled(TenantStateChanged),
    TenantPlanChanged(TenantPlanChanged),
    ExportRequested(ExportRequested),
    ExportReady(ExportReady),
    ExportFailed(ExportFailed),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_event_carries_the_data_the_catalogue_declares() {
        for &t in EventType::ALL {
            assert_eq!(payload_of(t), t.payload(), "{t}");
            if let Payload::Message(name) = t.payload() {
                assert!(
                    eventkit_proto::descriptor_pool()
                        .get_message_by_name(name)
                        .is_some(),
                    "{t}: {name} is not a message of the API"
                );
            }
        }
    }

    #[test]
    fn data_is_the_api_json_or_the_payload_object() {
        let product = pb::Product {
            id: "p1".into(),
            name: "Spot".into(),
            ..Default::default()
        };
        let event = Event::ProductCreated(product);
        assert_eq!(event.event_type().as_str(), "product.created");
        assert_eq!(event.data()["name"], "Spot");
        let user = eventkit_domain::ids::UserId::new();
        let removed = Event::UserRemoved(UserRemoved { user_id: user });
        assert_eq!(removed.data(), json!({ "userId": user.to_string() }));
        let event = eventkit_domain::ids::EventId::new();
        let scan = Event::ScanCreated(ScanCreated {
            result: pb::ScanResult {
                message: "Out".into(),
                ..Default::default()
            },
            kind: "check_out",
            target: ScanTarget::EventId(event),
            client_scan_id: "s1".into(),
        });
        let data = scan.data();
        assert_eq!(
            (&data["message"], &data["kind"], &data["eventId"]),
            (
                &json!("Out"),
                &json!("check_out"),
                &json!(event.to_string())
            )
        );
    }
}
