//! Embeds the built web app (`web/dist`, made by `npm run build` in `web/`) into the tenant API:
//! writes `$OUT_DIR/web_app.rs` with one `include_bytes!` per file. Without a build, the list is
//! empty and the API serves a page that says how to build the app (docs/adr/0042).

use std::{fmt::Write, fs, path::Path};

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let web = Path::new(&manifest).join("../web");
    let dist = web.join("dist");
    // Watching a missing path would rerun this every build; watch web/ until dist appears.
    let watched = if dist.is_dir() { &dist } else { &web };
    println!("cargo:rerun-if-changed={}", watched.display());

    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
    }
    files.sort();
    let mut code = String::from("/// The built web app: (path under web/dist, contents).\n");
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (relative, absolute) in &files {
        writeln!(code, "    ({relative:?}, include_bytes!({absolute:?})),").expect("string");
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out).join("web_app.rs"), code).expect("write web_app.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("read web/dist") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under dist");
            let absolute = fs::canonicalize(&path).expect("canonical path");
            files.push((
                relative.to_string_lossy().replace('\\', "/"),
                absolute.to_string_lossy().into_owned(),
            ));
        }
    }
}
