//! Typed ids: one newtype per entity, so a `ProductId` can never be passed where an `AssetId` is
//! meant — mixing two up fails to compile. Each is parsed once from its request field (the
//! field's name goes into the error), is a `uuid` in the database (`sqlx::Type`, transparent,
//! with the `sqlx` feature) and a plain UUID string on the wire and in JSON (serde, transparent).
//! New ids are UUIDv7 ([`crate::id::new_id`]).
//!
//! ```
//! use eventkit_domain::ids::AssetId;
//! fn retire(_asset: AssetId) {}
//! retire(AssetId::new());
//! ```
//!
//! ```compile_fail
//! use eventkit_domain::ids::{AssetId, ProductId};
//! fn retire(_asset: AssetId) {}
//! retire(ProductId::new()); // a product's id is not an asset's
//! ```
//!
//! A tenant's id is no user's (nor any entity's) either:
//!
//! ```compile_fail,E0308
//! use eventkit_domain::ids::{TenantId, UserId};
//! fn remove_member(_user: UserId) {}
//! remove_member(TenantId::new());
//! ```

use crate::{FieldViolation, id};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! typed_ids {
    ($($(#[$doc:meta])* $name:ident => $entity:literal;)*) => {
        $(
            $(#[$doc])*
            #[derive(
                Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            )]
            #[serde(transparent)]
            #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
            pub struct $name(Uuid);

            impl $name {
                /// What the id names, for messages (`product 0190… not found`).
                pub const ENTITY: &'static str = $entity;

                /// A new, time-ordered id.
                pub fn new() -> Self {
                    Self(id::new_id())
                }

                /// Parses the required id in request field `field`.
                pub fn parse(field: &str, raw: &str) -> Result<Self, FieldViolation> {
                    id::parse_id(field, raw).map(Self)
                }

                /// Parses an optional id in request field `field`: empty means none.
                pub fn parse_optional(field: &str, raw: &str) -> Result<Option<Self>, FieldViolation> {
                    id::parse_optional_id(field, raw).map(|id| id.map(Self))
                }

                /// Wraps an id read from a trusted source (our own rows, tokens we signed).
                pub const fn from_uuid(id: Uuid) -> Self {
                    Self(id)
                }

                /// The plain UUID, for APIs that take one.
                pub const fn uuid(self) -> Uuid {
                    self.0
                }
            }

            impl Default for $name {
                fn default() -> Self {
                    Self::new()
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    self.0.fmt(f)
                }
            }

            impl From<$name> for Uuid {
                fn from(id: $name) -> Uuid {
                    id.0
                }
            }
        )*
    };
}

typed_ids! {
    /// A tenant: a company on the platform.
    TenantId => "tenant";
    /// A person's account (global, across tenants).
    UserId => "user";
    ProductId => "product";
    AssetId => "asset";
    LocationId => "location";
    CaseId => "case";
    ProjectId => "project";
    EventId => "event";
    PullListLineId => "pull list line";
    SubRentId => "sub-rent";
    MaintenanceRecordId => "maintenance record";
    StocktakeId => "stocktake";
    RoleId => "role";
    InvitationId => "invitation";
    ApiKeyId => "API key";
    WebhookEndpointId => "webhook endpoint";
    WebhookDeliveryId => "webhook delivery";
    ExportId => "export";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_with_their_field_and_print_as_uuids() {
        let id = ProductId::new();
        assert_eq!(ProductId::parse("product_id", &id.to_string()), Ok(id));
        let err = AssetId::parse("asset_id", "nope").unwrap_err();
        assert_eq!(err.field, "asset_id");
        assert_eq!(EventId::parse_optional("event_id", ""), Ok(None));
        assert_eq!(Uuid::from(id), id.uuid());
        assert_eq!(ProductId::ENTITY, "product");
    }

    #[test]
    fn ids_are_plain_uuid_strings_in_json() {
        let id = TenantId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, serde_json::to_string(&id.uuid()).unwrap());
        assert_eq!(serde_json::from_str::<TenantId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<TenantId>("\"nope\"").is_err());
    }
}
