//! A tenant's view of the API for behaviour tests: call a method as that tenant and expect
//! success (the body) or a given Connect error code, with the method named in every failure.
//!
//! It is also how tests make what lives in a tenant — products, events, people — through the
//! API, as the tenant's admin would. The fixtures have one style: the thing that owns a fixture
//! makes it with a method. [`TestEnv`] makes tenants, servers, operator tokens and admin keys
//! (`env.create_tenant(name)`, `env.control_plane()`, …); a tenant's handle, from
//! [`TestEnv::as_tenant`], makes the rest (`t.product(name)`, `t.confirmed_event(…)`,
//! `t.join(email, roles)`).

use crate::{
    ConnectReply, Tenant, TestEnv,
    people::{PASSWORD, Person, emailed_token, person},
};
use serde_json::{Value, json};

/// Calls made as one tenant (`env.as_tenant(&tenant)`).
pub struct As<'a> {
    pub env: &'a TestEnv,
    pub tenant: &'a Tenant,
}

impl As<'_> {
    /// Calls `Service/Method` (e.g. `PlanningService/GetEvent`).
    pub async fn call(&self, method: &str, body: Value) -> ConnectReply {
        self.env
            .call(Some(&self.tenant.api_key), method, body)
            .await
    }

    /// Calls and expects success; returns the body.
    pub async fn ok(&self, method: &str, body: Value) -> Value {
        let reply = self.call(method, body).await;
        assert_eq!(
            reply.status, 200,
            "{method} failed: {} {}",
            reply.status, reply.body
        );
        reply.body
    }

    /// Calls and expects the Connect error `code`; returns the reply.
    pub async fn fails(&self, method: &str, body: Value, code: &str) -> ConnectReply {
        let reply = self.call(method, body).await;
        assert_eq!(
            reply.code(),
            code,
            "{method}: expected {code}, got {} {}",
            reply.status,
            reply.body
        );
        reply
    }

    /// A new product named `name` (serialised, no rates); returns its id.
    pub async fn product(&self, name: &str) -> String {
        self.id(
            "InventoryService/CreateProduct",
            json!({ "name": name }),
            "product",
        )
        .await
    }

    /// Invites `email` with the given roles, accepts as a new account, returns the session.
    pub async fn join(&self, email: &str, role_ids: &[String]) -> Person {
        self.ok(
            "AdminService/InviteUser",
            json!({"email": email, "roleIds": role_ids}),
        )
        .await;
        let token = emailed_token(self.env, "invitation", email).await;
        let accepted = self
            .env
            .call(
                None,
                "AuthService/AcceptInvitation",
                json!({"token": token, "displayName": "Test Person", "password": PASSWORD}),
            )
            .await;
        person(email, &accepted.ok()["session"])
    }

    /// A confirmed event over `when` (a `period`), which reserves what its pull list holds.
    pub async fn confirmed_event(&self, name: &str, when: Value) -> String {
        let id = self
            .id(
                "PlanningService/CreateEvent",
                json!({"name": name, "period": when}),
                "event",
            )
            .await;
        self.ok(
            "PlanningService/TransitionEvent",
            json!({"id": id, "status": "EVENT_STATUS_CONFIRMED"}),
        )
        .await;
        id
    }

    /// Calls and returns `<entity>.id` of the answer.
    pub async fn id(&self, method: &str, body: Value, entity: &str) -> String {
        let body = self.ok(method, body).await;
        body[entity]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no {entity}.id in {body}"))
            .to_owned()
    }
}

/// `2030-06-<day>T<hour>:00:00Z`.
pub fn at(day: u32, hour: u32) -> String {
    format!("2030-06-{day:02}T{hour:02}:00:00Z")
}

/// A period from `(day, hour)` to `(day, hour)` in June 2030.
pub fn period(from: (u32, u32), to: (u32, u32)) -> Value {
    json!({"start": at(from.0, from.1), "end": at(to.0, to.1)})
}
