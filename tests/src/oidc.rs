//! A real OpenID Connect provider for the sign-in tests — the npm `oidc-provider` package,
//! started as a child process (`tests/node/oidc-provider.mjs`) — and a browser stand-in that
//! follows the provider's redirects (keeping its cookies) until it is sent back to us, and
//! carries our `ek_sso` cookie from StartSsoSignIn to the calls that finish the flow
//! ([`SsoBrowser`]).

use crate::{ConnectReply, TestEnv};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

pub const CLIENT_ID: &str = "eventkit";
pub const CLIENT_SECRET: &str = "provider-client-secret";

/// A running provider; killed on drop.
pub struct OidcProvider {
    child: Child,
    pub issuer: String,
}

impl OidcProvider {
    /// A provider that knows our client with `redirect_uri`; ID tokens live `id_token_ttl` s.
    pub fn start(redirect_uri: &str, id_token_ttl: u64) -> Self {
        let config = json!({
            "clients": [{
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }],
            "idTokenTtl": id_token_ttl,
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/node/oidc-provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg(config.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (scripts/services --node installs it; tests/node needs npm ci)");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("stdout"))
            .read_line(&mut line)
            .expect("provider output");
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the provider did not start ({e}): {line:?}"));
        Self {
            child,
            issuer: ready["issuer"].as_str().expect("issuer").to_owned(),
        }
    }

    /// Runs the Authorization Code flow ourselves (PKCE, `nonce`) for `login_hint` and returns
    /// the raw ID token — for checks of our verifier with tokens a real provider made.
    pub async fn id_token(&self, redirect_uri: &str, login_hint: &str, nonce: &str) -> String {
        let verifier = "a-pkce-verifier-that-is-long-enough-to-satisfy-rfc-7636-rules";
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let mut url = url::Url::parse(&format!("{}/auth", self.issuer)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", CLIENT_ID)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", "test-state")
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("login_hint", login_hint);
        let back = follow(url.as_str(), redirect_uri).await;
        let tokens: Value = reqwest::Client::new()
            .post(format!("{}/token", self.issuer))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", back.get("code").expect("a code").as_str()),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .expect("token request")
            .text()
            .await
            .map(|body| serde_json::from_str(&body).unwrap_or(Value::String(body)))
            .expect("token answer");
        tokens["id_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no id_token in {tokens}"))
            .to_owned()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Follows redirects from `start` like a browser (cookies kept) until the provider sends the
/// browser to `redirect_uri`; returns that callback's query parameters (`code`, `state`, or
/// `error`).
pub async fn follow(start: &str, redirect_uri: &str) -> HashMap<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut cookies: HashMap<String, String> = HashMap::new();
    let mut url = url::Url::parse(start).expect("authorization URL");
    for _ in 0..20 {
        if url.as_str().starts_with(redirect_uri) {
            return url.query_pairs().into_owned().collect();
        }
        let cookie_header: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let response = client
            .get(url.clone())
            .header("cookie", cookie_header.join("; "))
            .send()
            .await
            .expect("provider answers");
        for value in response.headers().get_all("set-cookie") {
            let pair = value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                cookies.insert(k.trim().to_owned(), v.to_owned());
            }
        }
        let status = response.status();
        let Some(location) = response.headers().get("location") else {
            panic!(
                "the provider stopped at {url} with {status}: {}",
                response.text().await.unwrap_or_default()
            );
        };
        url = url
            .join(location.to_str().unwrap())
            .expect("redirect target");
    }
    panic!("too many redirects");
}

/// One browser signing in with single sign-on: keeps the `ek_sso` cookie StartSsoSignIn sets
/// and sends it with its AuthService calls, as a browser does.
pub struct SsoBrowser<'a> {
    env: &'a TestEnv,
    redirect_uri: String,
    pub cookie: Option<String>,
}

impl<'a> SsoBrowser<'a> {
    pub fn new(env: &'a TestEnv, redirect_uri: &str) -> Self {
        Self {
            env,
            redirect_uri: redirect_uri.to_owned(),
            cookie: None,
        }
    }

    /// An AuthService (or other) call with this browser's cookie.
    pub async fn call(&self, method: &str, body: Value) -> ConnectReply {
        let cookie = self.cookie.as_ref().map(|c| format!("ek_sso={c}"));
        let headers: Vec<(&str, &str)> = cookie.iter().map(|c| ("cookie", c.as_str())).collect();
        self.env
            .call_with_headers(None, method, body, &headers)
            .await
    }

    /// StartSsoSignIn (keeping the cookie), then the provider as `login_hint` until it sends the
    /// browser back; answers the callback's `state` and `code`.
    pub async fn to_provider_and_back(&mut self, tenant_id: &str, login_hint: &str) -> Value {
        let started = self
            .call(
                "AuthService/StartSsoSignIn",
                json!({"tenantId": tenant_id, "loginHint": login_hint}),
            )
            .await;
        let url = started.ok()["authorizationUrl"]
            .as_str()
            .expect("authorization URL")
            .to_owned();
        self.cookie = started
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("ek_sso="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned());
        assert!(self.cookie.is_some(), "StartSsoSignIn sets ek_sso");
        let back = follow(&url, &self.redirect_uri).await;
        json!({"state": back["state"], "code": back["code"]})
    }

    /// The whole sign-in: start, the provider, FinishSsoSignIn.
    pub async fn sign_in(&mut self, tenant_id: &str, login_hint: &str) -> ConnectReply {
        let back = self.to_provider_and_back(tenant_id, login_hint).await;
        self.call("AuthService/FinishSsoSignIn", back).await
    }
}
