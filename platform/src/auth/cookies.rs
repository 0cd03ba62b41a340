//! Sessions for browsers: the access and refresh tokens travel in `HttpOnly; Secure;
//! SameSite=Strict` cookies that scripts cannot read, and every cookie-authenticated call must
//! echo the readable `ek_csrf` cookie in the `X-CSRF-Token` header (double submit) — a page on
//! another site can make the browser send the cookies, but cannot read the token to echo. The
//! refresh cookie is held to the same check ([`RefreshCookie`]).
//!
//! A single sign-on flow is bound to the browser that started it by the `ek_sso` cookie
//! ([`sso_flow`]): `SameSite=Lax`, since the provider sends the browser back from its own site.

use crate::ApiError;
use http::{HeaderMap, HeaderValue};
use subtle::ConstantTimeEq;

pub const ACCESS: &str = "ek_access";
pub const REFRESH: &str = "ek_refresh";
pub const CSRF: &str = "ek_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The nonce that binds a single sign-on flow to its browser.
pub const SSO_FLOW: &str = "ek_sso";
/// Where the browser sends [`SSO_FLOW`] (and the refresh cookie): the `AuthService` only.
const AUTH_PATH: &str = "/eventkit.v1.AuthService/";
/// Clients that want cookies instead of tokens in the answer send `EventKit-Session: cookie`.
pub const MODE_HEADER: &str = "eventkit-session";

/// Whether the caller asked for cookie sessions.
pub fn wants_cookies(headers: &HeaderMap) -> bool {
    headers
        .get(MODE_HEADER)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cookie"))
}

/// The value of cookie `name`, if sent.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The access token from the session cookie, after the CSRF check; `None` without the cookie.
pub fn session_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(token) = get(headers, ACCESS) else {
        return Ok(None);
    };
    if !csrf_echoed(headers) {
        return Err(csrf_refused());
    }
    Ok(Some(token))
}

/// Whether the request echoes the `ek_csrf` cookie in `X-CSRF-Token` (compared in constant time).
fn csrf_echoed(headers: &HeaderMap) -> bool {
    let expected = get(headers, CSRF).unwrap_or_default();
    let echoed = headers
        .get(CSRF_HEADER)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(echoed))
}

fn csrf_refused() -> ApiError {
    ApiError::PermissionDenied(
        "cookie sessions need the X-CSRF-Token header, set to the value of the ek_csrf cookie"
            .into(),
    )
}

/// The `ek_refresh` cookie of a request. Its token is handed out only when the request also
/// passed the CSRF check, like the access cookie: a page that can make the browser send the
/// cookie, but cannot read `ek_csrf`, can neither refresh the session nor end it.
pub struct RefreshCookie {
    token: String,
    csrf_echoed: bool,
}

impl RefreshCookie {
    /// The cookie, if the request sent a non-empty one.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let token = get(headers, REFRESH).filter(|t| !t.is_empty())?;
        Some(Self {
            token: token.to_owned(),
            csrf_echoed: csrf_echoed(headers),
        })
    }

    /// The refresh token, after the CSRF check (`permission_denied` without the echo).
    pub fn token(&self) -> Result<&str, ApiError> {
        if self.csrf_echoed {
            Ok(&self.token)
        } else {
            Err(csrf_refused())
        }
    }
}

/// `Set-Cookie` values for a new session (or, with `None`, ones that clear it).
pub fn set_session(tokens: Option<(&str, i64, &str, i64)>, csrf: &str) -> Vec<HeaderValue> {
    let cookie = |name: &str, value: &str, max_age: i64, http_only: bool, path: &str| {
        let http_only = if http_only { "; HttpOnly" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Max-Age={max_age}; Path={path}; Secure; SameSite=Strict{http_only}"
        ))
        .expect("cookie values are ASCII tokens")
    };
    match tokens {
        Some((access, access_age, refresh, refresh_age)) => vec![
            cookie(ACCESS, access, access_age, true, "/"),
            cookie(REFRESH, refresh, refresh_age, true, AUTH_PATH),
            cookie(CSRF, csrf, refresh_age, false, "/"),
        ],
        None => vec![
            cookie(ACCESS, "", 0, true, "/"),
            cookie(REFRESH, "", 0, true, AUTH_PATH),
            cookie(CSRF, "", 0, false, "/"),
        ],
    }
}

/// `Set-Cookie` for the nonce of a new single sign-on flow, valid `max_age` seconds: HttpOnly,
/// and `SameSite=Lax` so that the page the provider sends the browser back to has it.
pub fn sso_flow(nonce: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SSO_FLOW}={nonce}; Max-Age={max_age}; Path={AUTH_PATH}; Secure; HttpOnly; SameSite=Lax"
    ))
    .expect("cookie values are ASCII tokens")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn cookie_sessions_need_the_csrf_echo() {
        let cookies = "ek_access=tok; ek_csrf=abc";
        assert_eq!(session_token(&headers(&[])).unwrap(), None);
        assert!(session_token(&headers(&[("cookie", cookies)])).is_err());
        assert!(session_token(&headers(&[("cookie", cookies), ("x-csrf-token", "abd")])).is_err());
        assert!(
            session_token(&headers(&[
                ("cookie", "ek_access=tok"),
                ("x-csrf-token", "")
            ]))
            .is_err()
        );
        assert_eq!(
            session_token(&headers(&[("cookie", cookies), ("x-csrf-token", "abc")])).unwrap(),
            Some("tok")
        );
    }

    #[test]
    fn the_refresh_cookie_needs_the_csrf_echo_too() {
        assert!(RefreshCookie::from_headers(&headers(&[("cookie", "ek_refresh=")])).is_none());
        let cookies = "ek_refresh=r; ek_csrf=abc";
        let bare = RefreshCookie::from_headers(&headers(&[("cookie", cookies)])).unwrap();
        assert!(matches!(bare.token(), Err(ApiError::PermissionDenied(_))));
        let forged =
            RefreshCookie::from_headers(&headers(&[("cookie", cookies), ("x-csrf-token", "abd")]))
                .unwrap();
        assert!(forged.token().is_err());
        let echoed =
            RefreshCookie::from_headers(&headers(&[("cookie", cookies), ("x-csrf-token", "abc")]))
                .unwrap();
        assert_eq!(echoed.token().unwrap(), "r");
    }

    #[test]
    fn the_sso_flow_cookie_is_http_only_lax_and_for_the_auth_service() {
        let set = sso_flow("n0nce", 600);
        assert_eq!(
            set.to_str().unwrap(),
            "ek_sso=n0nce; Max-Age=600; Path=/eventkit.v1.AuthService/; Secure; HttpOnly; SameSite=Lax"
        );
        let sent = headers(&[("cookie", "ek_csrf=x; ek_sso=n0nce")]);
        assert_eq!(get(&sent, SSO_FLOW), Some("n0nce"));
    }

    #[test]
    fn set_cookies_are_strict_and_http_only_except_csrf() {
        let set = set_session(Some(("a", 900, "r", 100)), "c");
        let text: Vec<_> = set.iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert!(
            text[0]
                .starts_with("ek_access=a; Max-Age=900; Path=/; Secure; SameSite=Strict; HttpOnly")
        );
        assert!(text[1].contains("Path=/eventkit.v1.AuthService/") && text[1].contains("HttpOnly"));
        assert!(text[2].starts_with("ek_csrf=c;") && !text[2].contains("HttpOnly"));
        assert!(
            set_session(None, "")
                .iter()
                .all(|v| v.to_str().unwrap().contains("Max-Age=0"))
        );
    }
}
