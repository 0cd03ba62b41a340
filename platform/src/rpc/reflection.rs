//! gRPC server reflection (v1 and v1alpha) for one port: it lists the services that port
//! serves, and describes only their proto files and what those import. Given the whole
//! descriptor set, the tenant API listed the `controlplane.v1` operator services too, and then
//! answered them with 404.

use prost::encoding::{WireType, encode_key, encode_varint};
use prost_reflect::FileDescriptor;
use std::collections::HashSet;

/// The reflection services' own names, listed beside what the port serves.
const REFLECTION_SERVICES: [&str; 2] = [
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];

/// `routes` plus reflection of `served` (full service names of the descriptor set).
pub fn add_to(routes: tonic::service::Routes, served: &[&str]) -> tonic::service::Routes {
    let files = descriptor_set(served);
    let configure = || {
        REFLECTION_SERVICES.iter().chain(served).fold(
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(&files),
            |builder, name| builder.with_service_name(*name),
        )
    };
    let v1 = configure().build_v1().expect("descriptor set is valid");
    let v1alpha = configure()
        .build_v1alpha()
        .expect("descriptor set is valid");
    routes.add_service(v1).add_service(v1alpha)
}

/// An encoded `FileDescriptorSet` of the files that define `served` and their imports, each
/// file as compiled (custom options such as the permission of each method kept).
fn descriptor_set(served: &[&str]) -> Vec<u8> {
    let pool = eventkit_proto::descriptor_pool();
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for name in served {
        let service = pool
            .get_service_by_name(name)
            .unwrap_or_else(|| panic!("{name} is not in the descriptor set"));
        collect(service.parent_file(), &mut seen, &mut files);
    }
    let mut set = Vec::new();
    for file in files {
        let bytes = file.encode_to_vec();
        encode_key(1, WireType::LengthDelimited, &mut set);
        encode_varint(bytes.len() as u64, &mut set);
        set.extend_from_slice(&bytes);
    }
    set
}

/// `file` after its imports, each file once.
fn collect(file: FileDescriptor, seen: &mut HashSet<String>, out: &mut Vec<FileDescriptor>) {
    if !seen.insert(file.name().to_owned()) {
        return;
    }
    for import in file.dependencies() {
        collect(import, seen, out);
    }
    out.push(file);
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn the_set_holds_the_served_files_and_their_imports_only() {
        let set = prost_types::FileDescriptorSet::decode(
            descriptor_set(&["eventkit.v1.InventoryService"]).as_slice(),
        )
        .unwrap();
        let names: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
        assert_eq!(names.last(), Some(&"eventkit/v1/inventory.proto"));
        assert!(names.contains(&"eventkit/v1/common.proto"), "{names:?}");
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("controlplane/") || *n == "eventkit/v1/admin.proto"),
            "{names:?}"
        );
        // Imports come before the files that import them, as a FileDescriptorSet must be.
        let inventory = set.file.last().unwrap();
        for import in &inventory.dependency {
            assert!(names.contains(&import.as_str()), "{import} is missing");
        }
    }
}
