//! The EventKit API contract in Rust: messages and tonic services generated from `proto/`,
//! plus the encoded descriptor set that gRPC reflection and the Connect adapter read.

/// Tenant-facing API, version 1.
pub mod eventkit {
    pub mod v1 {
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation)]
        tonic::include_proto!("eventkit.v1");
    }
}

/// Control-plane API, version 1: operator, sign-up and tenant-account services.
pub mod controlplane {
    pub mod v1 {
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation)]
        tonic::include_proto!("controlplane.v1");
    }
}

/// Encoded `google.protobuf.FileDescriptorSet` of every EventKit proto file and its imports.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));

/// The descriptor pool of [`FILE_DESCRIPTOR_SET`], decoded once.
pub fn descriptor_pool() -> &'static prost_reflect::DescriptorPool {
    static POOL: std::sync::OnceLock<prost_reflect::DescriptorPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        prost_reflect::DescriptorPool::decode(FILE_DESCRIPTOR_SET).expect("valid descriptor set")
    })
}

/// A generated message as proto3 canonical JSON (lowerCamelCase, enums by name, as the Connect
/// API answers): what webhook consumers receive in payloads and what `ekctl --json` prints.
/// `full_name` is the message's proto name, e.g. `eventkit.v1.Product`.
pub fn canonical_json<M: prost::Message>(message: &M, full_name: &str) -> serde_json::Value {
    let descriptor = descriptor_pool()
        .get_message_by_name(full_name)
        .unwrap_or_else(|| panic!("{full_name} is in the descriptor pool"));
    let dynamic =
        prost_reflect::DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice())
            .expect("own message decodes");
    dynamic
        .serialize_with_options(
            serde_json::value::Serializer,
            &prost_reflect::SerializeOptions::new(),
        )
        .expect("serialisable message")
}

/// Full names of the services a tenant's users and integrators call (the isolation suite
/// walks every RPC of each).
pub const TENANT_SERVICES: &[&str] = &[
    "eventkit.v1.InventoryService",
    "eventkit.v1.PlanningService",
    "eventkit.v1.ScanningService",
    "eventkit.v1.HistoryService",
    "eventkit.v1.AdminService",
];

/// Every service the tenant API serves: the tenant services plus `AuthService`, which people
/// call before they have a tenant (signing in, invitations, resets).
pub const TENANT_API_SERVICES: &[&str] = &[
    "eventkit.v1.InventoryService",
    "eventkit.v1.PlanningService",
    "eventkit.v1.ScanningService",
    "eventkit.v1.HistoryService",
    "eventkit.v1.AdminService",
    "eventkit.v1.AuthService",
];

/// Every service the control-plane role serves (the Connect adapter routes these; who may call
/// each RPC is its `(eventkit.v1.rule)`).
pub const CONTROL_PLANE_SERVICES: &[&str] = &[
    "controlplane.v1.OperatorTenantService",
    "controlplane.v1.OperatorPlanService",
    "controlplane.v1.OperatorQuotaService",
    "controlplane.v1.OperatorUsageService",
    "controlplane.v1.OperatorAuditService",
    "controlplane.v1.OperatorJobService",
    "controlplane.v1.SignupService",
    "controlplane.v1.AccountService",
];

#[cfg(test)]
mod tests {
    #[test]
    fn descriptor_pool_has_every_service() {
        for name in super::TENANT_API_SERVICES
            .iter()
            .chain(super::CONTROL_PLANE_SERVICES)
        {
            assert!(
                super::descriptor_pool().get_service_by_name(name).is_some(),
                "{name}"
            );
        }
    }
}
