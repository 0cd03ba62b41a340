//! Compiles `eventkit/**/*.proto` and `controlplane/**/*.proto` with `protox` (pure Rust, no system `protoc`), writes the
//! encoded descriptor set for reflection and the Connect adapter, and generates prost/tonic code.
use std::{env, fs, path::PathBuf};

fn proto_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read proto dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            proto_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut files = Vec::new();
    for dir in ["eventkit", "controlplane"] {
        proto_files(&root.join(dir), &mut files);
        println!("cargo:rerun-if-changed={dir}");
    }
    files.sort();

    let mut compiler = protox::Compiler::new([&root]).expect("proto include path");
    compiler
        .include_source_info(true)
        .include_imports(true)
        .open_files(&files)
        .expect("proto files compile");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    // Encoded by the compiler itself: it keeps custom options (each RPC's `eventkit.v1.rule`),
    // which a round trip through prost_types would drop as unknown fields.
    fs::write(
        out.join("descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )
    .expect("write descriptor set");
    let fds = compiler.file_descriptor_set();

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)
        .expect("generate code");
}
