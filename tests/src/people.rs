//! People for identity tests: invite through the Admin API with an admin key, read the token
//! from the email the mailer sends ([`crate::mailbox`]), accept, and get a session. A tenant's
//! handle makes them: `env.as_tenant(&tenant).join(email, roles)` ([`crate::client::As::join`]).

use crate::{Tenant, TestEnv};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-in member.
pub struct Person {
    pub user_id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// The id of the tenant's built-in role `key` (e.g. `planner`).
pub async fn builtin_role(env: &TestEnv, tenant: &Tenant, key: &str) -> String {
    let roles = env
        .call(Some(&tenant.api_key), "AdminService/ListRoles", json!({}))
        .await;
    roles.ok()["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["builtin"] == key)
        .unwrap_or_else(|| panic!("no built-in role {key}"))["id"]
        .as_str()
        .expect("role id")
        .to_owned()
}

/// The token in the newest email of kind `message` to `email`, as the mailer sends it.
pub async fn emailed_token(env: &TestEnv, message: &str, email: &str) -> String {
    let link = crate::mailbox::emailed_link(env, message, email).await;
    link.split("token=")
        .nth(1)
        .unwrap_or_else(|| panic!("the {message} link has no token: {link}"))
        .split('&')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A person from a `Session` in an answer.
pub fn person(email: &str, session: &Value) -> Person {
    let field = |f: &str| session[f].as_str().unwrap_or_default().to_owned();
    Person {
        user_id: field("userId"),
        email: email.to_owned(),
        access_token: field("accessToken"),
        refresh_token: field("refreshToken"),
    }
}
