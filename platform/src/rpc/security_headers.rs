//! Security headers on every response of every role (RPCs, errors, health, metrics, and the
//! SPA when it is served): no MIME sniffing, no framing, no referrer, a content security policy
//! (a closed one for API answers, one that lets the SPA load its own assets for HTML), HSTS when
//! the service is reached over TLS, `Cache-Control: no-store` on API answers (they carry keys
//! and personal data), and no `Server` banner.

use axum::response::Response;
use http::{HeaderName, HeaderValue, header};

/// The policy of API answers: nothing may be loaded, run or framed.
pub const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy of HTML (the SPA and the admin portal): its own scripts, styles, images, media and
/// API calls only; never framed. Styles also allow `'unsafe-inline'`: the Radix primitives set
/// a `<style>` element for scroll locking; scripts stay strictly `'self'` (docs/adr/0042).
pub const SPA_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; media-src 'self' blob:; \
     worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; \
     frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// What to send, built once from the configuration.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    hsts: Option<HeaderValue>,
}

impl SecurityHeaders {
    /// `hsts_max_age`: `Strict-Transport-Security` max-age in seconds, `None` for none (plain
    /// HTTP on a developer machine; browsers ignore it over HTTP anyway).
    pub fn new(hsts_max_age: Option<u64>) -> Self {
        Self {
            hsts: hsts_max_age.filter(|s| *s > 0).map(|s| {
                HeaderValue::from_str(&format!("max-age={s}; includeSubDomains"))
                    .expect("ascii header")
            }),
        }
    }
}

impl SecurityHeaders {
    /// Adds the headers to an answer, whatever produced it.
    pub fn add_to(&self, response: &mut Response) {
        let headers = response.headers_mut();
        let is_html = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        let set = |headers: &mut http::HeaderMap, name: HeaderName, value: &'static str| {
            headers.insert(name, HeaderValue::from_static(value));
        };
        set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        set(headers, header::X_FRAME_OPTIONS, "DENY");
        set(headers, header::REFERRER_POLICY, "no-referrer");
        set(
            headers,
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        );
        set(
            headers,
            HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
        );
        if is_html {
            set(headers, header::CONTENT_SECURITY_POLICY, SPA_CSP);
        } else {
            set(headers, header::CONTENT_SECURITY_POLICY, API_CSP);
            if !headers.contains_key(header::CACHE_CONTROL) {
                set(headers, header::CACHE_CONTROL, "no-store");
            }
        }
        if let Some(hsts) = &self.hsts {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
        headers.remove(header::SERVER);
        headers.remove("x-powered-by");
    }
}
