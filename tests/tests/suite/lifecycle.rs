//! The tenant lifecycle end to end, driven through `ekctl` against a real control plane and
//! tenant API: sign-up (and its email verification) → approve (provisioning) → use → suspend (locked out within 5 s, by the
//! NATS invalidation: the state cache is set far longer) → resume → delete → cancel → delete
//! → erase (nothing of the tenant left in any table); provisioning that is retried finishes
//! once; and the operator audit holds who, what, why for each step.

use eventkit_domain::ids::TenantId;
use eventkit_ekctl::exit;
use eventkit_tests::{Protocol, TestEnv, connect, ekctl::Ekctl};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A tenant API whose tenant-state cache would hide a change for a minute, so a lockout
/// within 5 s can only come from the invalidation message.
async fn env_with_long_cache() -> TestEnv {
    TestEnv::start_with([("EVENTKIT_TENANT_STATE_CACHE_MS", "60000")]).await
}

async fn sign_up(addr: std::net::SocketAddr, company: &str, email: &str) -> TenantId {
    let reply = connect::call(
        addr,
        Protocol::ConnectJson,
        None,
        "controlplane.v1.SignupService/SignUp",
        json!({"companyName": company, "adminEmail": email, "plan": "starter"}),
    )
    .await;
    TenantId::parse("tenantId", reply.ok()["tenantId"].as_str().unwrap()).unwrap()
}

async fn events(env: &TestEnv, tenant: TenantId, event_type: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "select payload from outbox where tenant_id = $1 and event_type = $2 order by id",
    )
    .bind(tenant)
    .bind(event_type)
    .fetch_all(&env.admin_pool().await)
    .await
    .unwrap()
}

/// Calls ListProducts until its code is `want`, for at most 5 s; returns the last reply's body.
async fn within_5s(env: &TestEnv, key: &str, want: &str) -> Value {
    let started = Instant::now();
    loop {
        let reply = env
            .call(Some(key), "InventoryService/ListProducts", json!({}))
            .await;
        if reply.code() == want {
            return reply.body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still {} after 5 s, expected {want}: {}",
            reply.code(),
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn state(v: &Value) -> &str {
    v["tenant"]["state"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn sign_up_approve_use_suspend_resume_delete_cancel_delete_erase() {
    let env = env_with_long_cache().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("alice").await);

    let tenant = sign_up(cp.addr, "Stage & Light Ltd", "ops@stage.example").await;
    let id = tenant.to_string();
    let signup = events(&env, tenant, "tenant.signup_requested").await;
    assert_eq!(signup.len(), 1);
    assert_eq!(signup[0]["adminEmail"], "ops@stage.example");
    assert_eq!(signup[0]["companyName"], "Stage & Light Ltd");
    assert_eq!(signup[0]["plan"], "starter");
    let shown = ekctl.json(&["tenants", "show", &id]).await;
    assert_eq!(state(&shown), "TENANT_STATE_PENDING_APPROVAL");
    assert!(shown.get("settings").is_none(), "not provisioned yet");
    assert!(shown["tenant"].get("adminEmailVerifyTime").is_none());

    // The verification email's token confirms the address, once; the event holds no token.
    assert!(
        signup[0].get("verificationToken").is_none(),
        "{}",
        signup[0]
    );
    let token =
        &eventkit_tests::people::emailed_token(&env, "signup_verification", "ops@stage.example")
            .await;
    let verify = |token: String| {
        connect::call(
            cp.addr,
            Protocol::ConnectJson,
            None,
            "controlplane.v1.SignupService/VerifySignupEmail",
            json!({ "token": token }),
        )
    };
    assert_eq!(verify(token.to_owned()).await.ok()["tenantId"], id);
    assert_eq!(
        verify(token.to_owned()).await.code(),
        "not_found",
        "used once only"
    );
    assert_eq!(verify("nonsense".into()).await.code(), "invalid_argument");
    let shown = ekctl.json(&["tenants", "show", &id]).await;
    assert!(
        shown["tenant"]["adminEmailVerifyTime"].is_string(),
        "{shown}"
    );
    let human = ekctl.run(&["tenants", "show", &id]).await.stdout;
    let verified = human
        .lines()
        .find(|l| l.starts_with("email verified:"))
        .unwrap_or_default();
    assert!(verified.ends_with('Z'), "a time, not '-': {human}");
    let stored: Option<Vec<u8>> =
        sqlx::query_scalar("select admin_email_verification_hash from tenants where id = $1")
            .bind(tenant)
            .fetch_one(&env.admin_pool().await)
            .await
            .unwrap();
    assert!(stored.is_none(), "the used token's hash is gone");

    // A key exists before approval (as an invitation would), but the tenant is not usable yet.
    let key = env.admin_key(tenant).await;
    within_5s(&env, &key, "failed_precondition").await;

    let approved = ekctl
        .json(&["tenants", "approve", &id, "--reason", "verified"])
        .await;
    assert_eq!(state(&approved), "TENANT_STATE_ACTIVE");
    let provisioned = events(&env, tenant, "tenant.provisioned").await;
    assert_eq!(provisioned.len(), 1);
    assert_eq!(provisioned[0]["settings"]["currency"], "EUR");
    let shown = ekctl.json(&["tenants", "show", &id]).await;
    assert_eq!(shown["settings"]["timeZone"], "UTC");
    // The built-in roles exist and the admin contact is invited as Admin, by email.
    let invited = events(&env, tenant, "email.requested").await;
    assert_eq!(invited.len(), 1, "{invited:?}");
    assert_eq!(invited[0]["message"], "invitation");
    assert_eq!(invited[0]["to"], json!(["ops@stage.example"]));
    let token =
        eventkit_tests::people::emailed_token(&env, "invitation", "ops@stage.example").await;
    let accepted = env
        .call(
            None,
            "AuthService/AcceptInvitation",
            json!({"token": token, "displayName": "Ops", "password": "a long enough passphrase"}),
        )
        .await;
    let admin_token = accepted.ok()["session"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let roles = env
        .call(Some(&admin_token), "AdminService/ListRoles", json!({}))
        .await;
    assert_eq!(
        roles.ok()["roles"].as_array().unwrap().len(),
        7,
        "built-in roles"
    );
    within_5s(&env, &key, "ok").await;

    let suspended = ekctl
        .run(&["tenants", "suspend", &id, "--reason", "unpaid invoice"])
        .await;
    assert_eq!(suspended.code, 0, "{}", suspended.stderr);
    assert!(
        suspended.stdout.contains("suspended"),
        "{}",
        suspended.stdout
    );
    let locked = within_5s(&env, &key, "failed_precondition").await;
    assert!(
        locked["message"].as_str().unwrap().contains("suspended"),
        "{locked}"
    );

    ekctl
        .json(&["tenants", "resume", &id, "--reason", "paid"])
        .await;
    within_5s(&env, &key, "ok").await;

    let deleted = ekctl
        .json(&["tenants", "delete", &id, "--reason", "customer left"])
        .await;
    assert_eq!(state(&deleted), "TENANT_STATE_PENDING_DELETION");
    assert!(
        deleted["tenant"]["deletionDueTime"].is_string(),
        "{deleted}"
    );
    let gone = within_5s(&env, &key, "failed_precondition").await;
    assert!(
        gone["message"]
            .as_str()
            .unwrap()
            .contains("pending deletion"),
        "{gone}"
    );

    let cancelled = ekctl
        .json(&[
            "tenants",
            "cancel-deletion",
            &id,
            "--reason",
            "changed their mind",
        ])
        .await;
    assert_eq!(state(&cancelled), "TENANT_STATE_ACTIVE");
    assert!(cancelled["tenant"].get("deletionDueTime").is_none());
    within_5s(&env, &key, "ok").await;
    env.call(
        Some(&key),
        "InventoryService/CreateProduct",
        json!({"name": "Truss 3m"}),
    )
    .await
    .ok();

    ekctl
        .json(&["tenants", "delete", &id, "--reason", "customer left again"])
        .await;
    let erased = ekctl
        .json(&[
            "tenants",
            "erase",
            &id,
            "--confirm",
            &id,
            "--reason",
            "deletion confirmed by customer",
        ])
        .await;
    assert_eq!(state(&erased), "TENANT_STATE_ERASED");
    assert_eq!(erased["deletedRows"]["products"], "1");
    assert!(erased["tenant"]["name"] == "erased" && erased["tenant"].get("adminEmail").is_none());
    assert_eq!(
        erased["deletedRows"]["users (no tenant left)"], "1",
        "the admin who belonged to this tenant only"
    );

    // Every table with a tenant_id holds nothing of the tenant any more.
    let admin = env.admin_pool().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.columns where table_schema = 'public' and column_name = 'tenant_id'",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert!(tables.len() >= 10, "{tables:?}");
    for table in tables {
        let left: i64 = sqlx::query_scalar(&format!(
            "select count(*) from \"{table}\" where tenant_id = $1"
        ))
        .bind(tenant)
        .fetch_one(&admin)
        .await
        .unwrap();
        assert_eq!(left, 0, "{table} still holds rows of the erased tenant");
    }
    // The key is gone (or, while this process still caches it, its tenant is erased).
    let call = env
        .call(Some(&key), "InventoryService/ListProducts", json!({}))
        .await;
    assert!(
        ["unauthenticated", "failed_precondition"].contains(&call.code()),
        "{}",
        call.body
    );

    let audit = ekctl.json(&["audit", "--tenant", &id]).await;
    let actions: Vec<(&str, &str, &str)> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operator"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("alice", "EraseTenant", "deletion confirmed by customer"),
            ("alice", "DeleteTenant", "customer left again"),
            ("alice", "CancelTenantDeletion", "changed their mind"),
            ("alice", "DeleteTenant", "customer left"),
            ("alice", "ResumeTenant", "paid"),
            ("alice", "SuspendTenant", "unpaid invoice"),
            ("alice", "ApproveTenant", "verified"),
        ]
    );
    let updates: i64 = sqlx::query_scalar("select count(*) from operator_audit")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(updates, 7);
}

#[tokio::test]
async fn provisioning_retried_after_a_failure_finishes_once() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("bob").await);
    let tenant = sign_up(cp.addr, "Half Made BV", "admin@halfmade.example").await;
    let id = tenant.to_string();
    // As if an approval committed its state change and the process died before provisioning.
    sqlx::query("update tenants set state = 'provisioning' where id = $1")
        .bind(tenant)
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
    let approved = ekctl.json(&["tenants", "approve", &id]).await;
    assert_eq!(state(&approved), "TENANT_STATE_ACTIVE");
    let again = ekctl.run(&["tenants", "approve", &id]).await;
    assert_eq!(again.code, exit::REFUSED, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("cannot approve a tenant that is active"),
        "{}",
        again.stderr
    );

    assert_eq!(events(&env, tenant, "tenant.provisioned").await.len(), 1);
    let settings: i64 =
        sqlx::query_scalar("select count(*) from tenant_settings where tenant_id = $1")
            .bind(tenant)
            .fetch_one(&env.admin_pool().await)
            .await
            .unwrap();
    assert_eq!(settings, 1);
}

#[tokio::test]
async fn operator_created_tenants_come_with_an_api_key_that_works() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("carol").await);
    let created = ekctl
        .json(&[
            "tenants",
            "create",
            "--name",
            "Rigging Co",
            "--plan",
            "pro",
            "--api-key",
            "--reason",
            "contract 42",
        ])
        .await;
    assert_eq!(created["tenant"]["plan"], "pro");
    assert_eq!(state(&created), "TENANT_STATE_ACTIVE");
    let key = created["apiKey"].as_str().expect("apiKey in the JSON");
    env.call(
        Some(key),
        "InventoryService/CreateProduct",
        json!({"name": "Chain hoist"}),
    )
    .await
    .ok();
    let tenant = TenantId::parse("tenant.id", created["tenant"]["id"].as_str().unwrap()).unwrap();
    assert_eq!(events(&env, tenant, "tenant.provisioned").await.len(), 1);

    let human = ekctl.run(&["tenants", "list"]).await;
    assert_eq!(human.code, 0);
    assert!(human.stdout.starts_with("ID"), "{}", human.stdout);
    assert!(
        human.stdout.contains("Rigging Co") && human.stdout.contains("active"),
        "{}",
        human.stdout
    );
    let help = ekctl.run(&["tenants", "erase", "--help"]).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--confirm"), "{}", help.stdout);
}

#[tokio::test]
async fn the_sweep_erases_only_tenants_past_their_grace_period() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("heidi").await);
    let mut ids = Vec::new();
    for name in ["Due Ltd", "Not Yet Ltd"] {
        let id = tenant_with_products(&env, &ekctl, name, &["Lamp"]).await;
        ekctl
            .json(&["tenants", "delete", &id, "--reason", "contract ended"])
            .await;
        ids.push(id);
    }
    let admin = env.admin_pool().await;
    sqlx::query(
        "update tenants set deletion_due_at = now() - interval '1 minute' where id = $1::uuid",
    )
    .bind(&ids[0])
    .execute(&admin)
    .await
    .unwrap();

    let control = eventkit_control_plane::ControlPlane::connect(&env.control_plane_config())
        .await
        .unwrap();
    let erased = control.erase_due().await.unwrap();
    assert_eq!(erased, [TenantId::parse("id", &ids[0]).unwrap()]);
    assert!(
        control.erase_due().await.unwrap().is_empty(),
        "nothing twice"
    );
    assert_eq!(
        state(&ekctl.json(&["tenants", "show", &ids[0]]).await),
        "TENANT_STATE_ERASED"
    );
    assert_eq!(
        state(&ekctl.json(&["tenants", "show", &ids[1]]).await),
        "TENANT_STATE_PENDING_DELETION"
    );
    let products: Vec<(String, i64)> = sqlx::query_as(
        "select tenant_id::text, count(*) from products group by tenant_id order by 1",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert_eq!(
        products,
        [(ids[1].clone(), 1)],
        "only the due tenant's rows are gone"
    );
    let counts: Value = sqlx::query_scalar("select erased_rows from tenants where id = $1::uuid")
        .bind(&ids[0])
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(counts["products"], 1);
    assert_eq!(counts["api_keys"], 1);
}

/// A tenant made with `ekctl tenants create --api-key`, holding products of these names; its id.
async fn tenant_with_products(
    env: &TestEnv,
    ekctl: &Ekctl,
    name: &str,
    products: &[&str],
) -> String {
    let created = ekctl
        .json(&["tenants", "create", "--name", name, "--api-key"])
        .await;
    let key = created["apiKey"].as_str().unwrap();
    for product in products {
        env.call(
            Some(key),
            "InventoryService/CreateProduct",
            json!({ "name": product }),
        )
        .await
        .ok();
    }
    created["tenant"]["id"].as_str().unwrap().to_owned()
}

/// Holds a row lock on the tenant's products until the transaction ends: an erasure stops
/// there, in the middle of its work.
async fn lock_products(
    admin: &sqlx::PgPool,
    tenant: &str,
) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut lock = admin.begin().await.unwrap();
    sqlx::query("select id from products where tenant_id = $1::uuid for update")
        .bind(tenant)
        .fetch_all(&mut *lock)
        .await
        .unwrap();
    lock
}

async fn erasure_progress(ekctl: &Ekctl, id: &str) -> Value {
    ekctl.json(&["tenants", "erasure-progress", id]).await["progress"].clone()
}

/// The erasure is one transaction; its progress is readable from outside while it runs. A row
/// lock held here stops it at `products`, where the progress must say so; `ekctl tenants erase`
/// draws it as a bar on stderr and ends with the finished line.
#[tokio::test]
async fn an_erasure_reports_its_progress_while_it_runs() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let token = env.operator_token("ivan").await;
    let ekctl = Ekctl::new(cp.addr, &token);
    let id = tenant_with_products(&env, &ekctl, "Progress Ltd", &["Truss 2m", "Hazer"]).await;
    assert_eq!(
        erasure_progress(&ekctl, &id).await["phase"],
        "ERASURE_PHASE_NONE"
    );
    let unknown = ekctl
        .run(&["tenants", "erasure-progress", &Uuid::now_v7().to_string()])
        .await;
    assert_eq!(unknown.code, exit::NOT_FOUND, "{}", unknown.stderr);
    let bad = ekctl.run(&["tenants", "erasure-progress", "nope"]).await;
    assert_eq!(bad.code, exit::INVALID, "{}", bad.stderr);
    assert!(bad.stderr.contains("tenant_id"), "{}", bad.stderr);

    ekctl
        .json(&["tenants", "delete", &id, "--reason", "closing down"])
        .await;
    let admin = env.admin_pool().await;
    let lock = lock_products(&admin, &id).await;
    // ekctl's run is not `Send`: drive it and the watcher side by side on this task.
    let erase_args = [
        "tenants",
        "erase",
        &id,
        "--confirm",
        &id,
        "--reason",
        "asked",
    ];
    let watch = async {
        let started = Instant::now();
        let stuck = loop {
            let p = erasure_progress(&ekctl, &id).await;
            if p["phase"] == "ERASURE_PHASE_DELETING" && p["currentTable"] == "products" {
                break p;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the erasure never reached products: {p}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        // The bar has had time to show the stuck table (it refreshes twice a second).
        tokio::time::sleep(Duration::from_millis(700)).await;
        lock.rollback().await.unwrap();
        stuck
    };
    let (erased, stuck) = tokio::join!(ekctl.run(&erase_args), watch);
    let number = |v: &Value| v.as_str().unwrap_or("0").parse::<i64>().unwrap();
    assert!(number(&stuck["rowsTotal"]) >= 2, "{stuck}");
    assert!(
        number(&stuck["rowsDone"]) < number(&stuck["rowsTotal"])
            && stuck["tablesDone"].as_i64().unwrap_or(0) < stuck["tablesTotal"].as_i64().unwrap(),
        "{stuck}"
    );
    assert_eq!(erased.code, 0, "{}", erased.stderr);
    assert!(
        erased.stderr.contains("deleting products"),
        "{}",
        erased.stderr
    );
    let last = erased.stderr.rsplit('\r').next().unwrap();
    assert!(
        last.contains("100%") && last.contains("finished"),
        "the last line says it is done: {last:?}"
    );
    assert!(erased.stdout.contains("DELETED_ROWS"), "{}", erased.stdout);
    let done = erasure_progress(&ekctl, &id).await;
    assert_eq!(done["phase"], "ERASURE_PHASE_FINISHED", "{done}");
    assert_eq!(done["rowsDone"], done["rowsTotal"], "{done}");
    assert_eq!(done["tablesDone"], done["tablesTotal"], "{done}");
}

/// An operator's erasure that dies half-way (its task dropped while it waits on a row lock:
/// the transaction rolls back, as when the process is killed) leaves the tenant whole and due
/// at once, and the sweep finishes it.
#[tokio::test]
async fn an_erasure_killed_half_way_is_finished_by_the_sweep() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("judy").await);
    let id = tenant_with_products(&env, &ekctl, "Half Way Ltd", &["Fog machine"]).await;
    let tenant = TenantId::parse("id", &id).unwrap();
    ekctl
        .json(&["tenants", "delete", &id, "--reason", "contract ended"])
        .await;

    let control = eventkit_control_plane::ControlPlane::connect(&env.control_plane_config())
        .await
        .unwrap();
    let admin = env.admin_pool().await;
    let lock = lock_products(&admin, &id).await;
    let erasing = tokio::spawn({
        let (control, id) = (control.clone(), id.clone());
        async move {
            let operator = eventkit_platform::auth::Operator {
                token_id: Uuid::now_v7(),
                name: "judy".into(),
            };
            let req = eventkit_proto::controlplane::v1::EraseTenantRequest {
                tenant_id: id.clone(),
                confirm_tenant_id: id,
                reason: "asked".into(),
            };
            control.erase_tenant(&operator, req).await
        }
    });
    let started = Instant::now();
    while erasure_progress(&ekctl, &id).await["currentTable"] != "products" {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never reached products"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    erasing.abort();
    assert!(erasing.await.unwrap_err().is_cancelled());
    lock.rollback().await.unwrap();

    let shown = ekctl.json(&["tenants", "show", &id]).await;
    assert_eq!(
        state(&shown),
        "TENANT_STATE_PENDING_DELETION",
        "rolled back"
    );
    let products: i64 = sqlx::query_scalar("select count(*) from products where tenant_id = $1")
        .bind(tenant)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(products, 1, "nothing was deleted");
    let due: bool =
        sqlx::query_scalar("select deletion_due_at <= now() from tenants where id = $1")
            .bind(tenant)
            .fetch_one(&admin)
            .await
            .unwrap();
    assert!(due, "the operator's erasure made the tenant due at once");

    assert_eq!(control.erase_due().await.unwrap(), [tenant]);
    assert_eq!(
        state(&ekctl.json(&["tenants", "show", &id]).await),
        "TENANT_STATE_ERASED"
    );
    assert_eq!(
        erasure_progress(&ekctl, &id).await["phase"],
        "ERASURE_PHASE_FINISHED",
        "the sweep's erasure reports too"
    );
}
