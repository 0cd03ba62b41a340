//! The built web app (the SPA and the admin portal) served beside the RPCs on the same port, so
//! one origin carries both and the session cookies need no CORS (docs/adr/0042). Files come
//! from the binary (the tenant API embeds `web/dist` at compile time) or from a directory given
//! at start-up; both are read into memory once, so a request never touches the file system and
//! no path can escape the app's files.
//!
//! Caching: Vite names everything under `/assets/` by its content hash, so those answers are
//! `immutable` for a year; every other file (index.html above all) is `no-cache` with an ETag,
//! so a new release is picked up on the next navigation. Paths without a file extension that
//! name no file get index.html (history fallback: `/events/…` is a route of the SPA); a missing
//! file with an extension is a 404, never HTML in place of a script.

use axum::{body::Body, response::Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use std::{collections::HashMap, hash::Hasher, path::Path};

/// One file of the app, with what its answers carry.
#[derive(Clone, Debug)]
struct WebFile {
    body: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
    immutable: bool,
}

/// The app's files by path (`index.html`, `assets/index-3f2a.js`, …).
#[derive(Clone, Debug)]
pub struct WebApp {
    files: HashMap<String, WebFile>,
}

/// Shown at `/` when the binary was built without the web app (`web/dist` missing).
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>EventKit: the web app is not built</title></head><body style=\"font-family:system-ui;\
max-width:40rem;margin:4rem auto;padding:0 1rem\"><h1>The web app is not built</h1>\
<p>This EventKit binary was compiled without the web app. The API on this port works.</p>\
<p>To serve the app: <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then build \
EventKit again (<code>scripts/up</code> does both), or point <code>EVENTKIT_WEB_DIR</code> at a \
built <code>web/dist</code>.</p></body></html>";

impl WebApp {
    /// The files compiled into the binary: `(path relative to dist, contents)`. An empty list
    /// serves a page that says how to build the app.
    pub fn embedded(files: &'static [(&'static str, &'static [u8])]) -> Self {
        if files.is_empty() {
            return Self::from_files([("index.html".to_owned(), NOT_BUILT.as_bytes())]);
        }
        Self::from_files(files.iter().map(|(path, body)| ((*path).to_owned(), *body)))
    }

    /// Reads a built app (a `web/dist`) into memory. Fails when it holds no index.html.
    pub fn from_dir(dir: &Path) -> std::io::Result<Self> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        if !files.iter().any(|(path, _)| path == "index.html") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} holds no index.html (is it a built web/dist?)",
                    dir.display()
                ),
            ));
        }
        // Read once at start-up and kept for the life of the process.
        Ok(Self::from_files(files.into_iter().map(|(path, body)| {
            (path, &*Box::leak(body.into_boxed_slice()))
        })))
    }

    fn from_files(files: impl IntoIterator<Item = (String, &'static [u8])>) -> Self {
        let files = files
            .into_iter()
            .map(|(path, body)| {
                let file = WebFile {
                    body,
                    content_type: content_type(&path),
                    etag: etag(body),
                    immutable: path.starts_with("assets/"),
                };
                (path, file)
            })
            .collect();
        Self { files }
    }

    /// The answer to a GET or HEAD of `path`, or `None` when the request is not the app's (another
    /// method, or an RPC path such as `/eventkit.v1.InventoryService/GetAsset` read over GET).
    pub fn answer(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        if (method != Method::GET && method != Method::HEAD) || is_procedure(path) {
            return None;
        }
        let relative = path.trim_start_matches('/');
        let file = match self.files.get(relative) {
            Some(file) => file,
            None if has_extension(relative) || relative.starts_with("assets/") => {
                return Some(not_found());
            }
            None => self.files.get("index.html")?,
        };
        Some(respond(file, method == Method::HEAD, headers))
    }
}

/// `/package.Service/Method`: the first segment names a service (it has dots), and there are two.
fn is_procedure(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    matches!(
        (segments.next(), segments.next(), segments.next()),
        (Some(service), Some(method), None) if service.contains('.') && !method.is_empty()
    )
}

fn has_extension(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

fn respond(file: &WebFile, head_only: bool, headers: &HeaderMap) -> Response {
    let cache = if file.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let fresh = headers.get(header::IF_NONE_MATCH).is_some_and(|tags| {
        tags.as_bytes()
            .split(|b| *b == b',')
            .any(|t| t.trim_ascii() == file.etag.as_bytes())
    });
    let builder = Response::builder()
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, file.etag.clone())
        .header(header::CONTENT_TYPE, file.content_type);
    let answer = if fresh {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else if head_only {
        builder
            .header(header::CONTENT_LENGTH, file.body.len())
            .body(Body::empty())
    } else {
        builder.body(Body::from(file.body))
    };
    answer.expect("static headers are valid")
}

fn not_found() -> Response {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from("not found\n"))
        .expect("static headers are valid")
}

/// A strong ETag from the contents (FNV-1a, 64 bits: identifies a release's file, not a secret).
fn etag(body: &[u8]) -> HeaderValue {
    let mut hash = Fnv1a::default();
    hash.write(body);
    HeaderValue::from_str(&format!("\"{:016x}\"", hash.finish())).expect("hex is a valid header")
}

struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        "mp3" => "audio/mpeg",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative = relative.to_string_lossy().replace('\\', "/");
            files.push((relative, std::fs::read(&path)?));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> WebApp {
        static FILES: &[(&str, &[u8])] = &[
            ("index.html", b"<!doctype html><title>app</title>"),
            ("assets/index-abc123.js", b"console.log(1)"),
            ("favicon.svg", b"<svg/>"),
        ];
        WebApp::embedded(FILES)
    }

    fn get(app: &WebApp, path: &str) -> Option<Response> {
        app.answer(&Method::GET, path, &HeaderMap::new())
    }

    fn header(response: &Response, name: header::HeaderName) -> &str {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    #[test]
    fn hashed_assets_are_immutable_and_the_page_is_revalidated() {
        let app = app();
        let script = get(&app, "/assets/index-abc123.js").expect("a file");
        assert_eq!(
            header(&script, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert!(header(&script, header::CONTENT_TYPE).starts_with("text/javascript"));
        let page = get(&app, "/").expect("the page");
        assert_eq!(header(&page, header::CACHE_CONTROL), "no-cache");
        assert!(header(&page, header::CONTENT_TYPE).starts_with("text/html"));
    }

    #[test]
    fn routes_of_the_spa_get_the_page_and_missing_files_a_404() {
        let app = app();
        for route in [
            "/",
            "/events/0190f0e2-aaaa",
            "/admin/users",
            "/accept-invitation",
        ] {
            let answer = get(&app, route).expect("the page");
            assert_eq!(answer.status(), StatusCode::OK, "{route}");
            assert!(
                header(&answer, header::CONTENT_TYPE).starts_with("text/html"),
                "{route}"
            );
        }
        for missing in ["/assets/gone-123.js", "/robots.txt", "/assets/deeper"] {
            assert_eq!(
                get(&app, missing).expect("an answer").status(),
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }
    }

    #[test]
    fn rpc_paths_and_other_methods_are_not_the_apps() {
        let app = app();
        assert!(get(&app, "/eventkit.v1.InventoryService/GetAsset").is_none());
        assert!(
            get(
                &app,
                "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
            )
            .is_none()
        );
        assert!(app.answer(&Method::POST, "/", &HeaderMap::new()).is_none());
    }

    #[test]
    fn a_matching_etag_is_not_modified() {
        let app = app();
        let first = get(&app, "/").expect("the page");
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, first.headers()[header::ETAG].clone());
        let again = app.answer(&Method::GET, "/", &headers).expect("the page");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }

    #[tokio::test]
    async fn without_a_build_the_page_says_how_to_build_it() {
        let app = WebApp::embedded(&[]);
        for route in ["/", "/events/123"] {
            let page = get(&app, route).expect("the page");
            assert_eq!(page.status(), StatusCode::OK);
            let body = axum::body::to_bytes(page.into_body(), usize::MAX)
                .await
                .expect("body");
            let text = String::from_utf8_lossy(&body);
            assert!(
                text.contains("npm run build") && text.contains("EVENTKIT_WEB_DIR"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_directory_without_index_html_is_refused() {
        let dir = std::env::temp_dir().join(format!("ek-web-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("assets")).expect("dir");
        std::fs::write(dir.join("assets/a.js"), "1").expect("file");
        let err = WebApp::from_dir(&dir).expect_err("no index.html");
        assert!(err.to_string().contains("index.html"));
        std::fs::write(dir.join("index.html"), "<p>").expect("file");
        let app = WebApp::from_dir(&dir).expect("a built app");
        assert_eq!(
            get(&app, "/assets/a.js").expect("file").status(),
            StatusCode::OK
        );
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
