//! The database roles cannot climb (issue 16: H3 and the start-up half of L11). The review's
//! escalation — a temporary view named like a table a `SECURITY DEFINER` function reads, whose
//! temporary function then runs as `eventkit_owner` and switches row-level security off — is
//! run as the service roles: it fails because they cannot create temporary objects, and it
//! would fail even if they could, because every definer function searches pg_temp last and
//! names its tables with their schema. A catalog check fails on any definer function without
//! that search path. And the deployables refuse to start as a role that could bypass
//! row-level security (superuser, BYPASSRLS, owner of tables or member of their owner), while a
//! service pool refuses new connections once its role gains such a power.

use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    config::{with_database, with_user},
    db::Db,
    secret::Secret,
};
use eventkit_tests::{TestEnv, admin_url};
use sqlx::{Connection, Executor, PgConnection, PgPool, Row};
use std::time::Duration;

/// The function the review's temporary view calls: as whoever runs the view's query (the
/// definer function's owner), it takes FORCE row-level security off `products`.
const PWN: &str = "create function pg_temp.pwn() returns boolean language plpgsql as $$ \
    begin execute 'alter table public.products no force row level security'; return true; end $$";

/// A temporary view `name` that looks like both `tenants` and `memberships` to the definer
/// functions' queries and calls `pg_temp.pwn()` for its row.
fn shadow(name: &str) -> String {
    format!(
        "create temp view {name} as select id, id as tenant_id, id as user_id, 'x'::text as name, 'active'::text as state \
         from (values ('00000000-0000-0000-0000-000000000000'::uuid)) v(id) where pg_temp.pwn()"
    )
}

/// The review's sequence on `conn`: the temporary function, temporary views shadowing
/// `tables` (readable by the owner the definer function runs as), then `call`.
async fn escalate(conn: &mut PgConnection, tables: &[&str], call: &str) -> Result<(), sqlx::Error> {
    conn.execute(PWN).await?;
    for table in tables {
        conn.execute(shadow(table).as_str()).await?;
        conn.execute(format!("grant select on pg_temp.{table} to eventkit_owner").as_str())
            .await?;
    }
    conn.execute(call).await?;
    Ok(())
}

/// Whether row-level security is still forced on `products` (read as the superuser).
async fn products_forced(admin: &PgPool) -> bool {
    sqlx::query_scalar(
        "select relforcerowsecurity from pg_class where oid = 'public.products'::regclass",
    )
    .fetch_one(admin)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_temp_view_escalation_through_ek_tenant_ids_fails() {
    let env = TestEnv::start().await;
    env.create_tenant("Rental Co").await;
    let admin = env.admin_pool().await;
    assert!(products_forced(&admin).await);

    let mut app = env.app_connection().await;
    let attempt = escalate(&mut app, &["tenants"], "select * from ek_tenant_ids()").await;
    let err = attempt.expect_err("eventkit_app must not be able to run the escalation");
    assert_eq!(
        err.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("42501"),
        "refused for want of the TEMPORARY privilege: {err}"
    );
    assert!(
        products_forced(&admin).await,
        "eventkit_app switched FORCE row-level security off on products"
    );
}

/// With TEMPORARY granted back (as on a database that missed the revoke), the definer
/// functions still read only the real tables: pg_temp is searched last, and they name
/// `public.tenants` and `public.memberships`.
#[tokio::test]
async fn definer_functions_ignore_temporary_objects_even_where_roles_may_make_them() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let admin = env.admin_pool().await;
    sqlx::query(&format!(
        "grant temporary on database \"{}\" to eventkit_app, eventkit_control",
        env.database
    ))
    .execute(&admin)
    .await
    .unwrap();

    let mut app = env.app_connection().await;
    escalate(&mut app, &["tenants"], "select * from ek_tenant_ids()")
        .await
        .expect("the call runs");
    let ids: Vec<TenantId> = sqlx::query_scalar("select * from ek_tenant_ids()")
        .fetch_all(&mut app)
        .await
        .unwrap();
    assert_eq!(ids, vec![tenant.id], "the registry's ids, not the view's");
    assert!(products_forced(&admin).await, "through ek_tenant_ids()");

    let mut app = env.app_connection().await;
    let someone = uuid::Uuid::now_v7();
    escalate(
        &mut app,
        &["tenants", "memberships"],
        &format!("select * from ek_user_tenants('{someone}')"),
    )
    .await
    .expect("the call runs");
    assert!(products_forced(&admin).await, "through ek_user_tenants()");

    let mut control = PgConnection::connect(env.config.database.control.expose())
        .await
        .unwrap();
    escalate(
        &mut control,
        &["memberships"],
        &format!("select ek_user_is_member_anywhere('{someone}')"),
    )
    .await
    .expect("the call runs");
    assert!(
        products_forced(&admin).await,
        "through ek_user_is_member_anywhere()"
    );
}

/// Every breach of the rules for definer functions and the service roles' privileges.
async fn definer_breaches(conn: &mut PgConnection) -> Vec<String> {
    let mut breaches = Vec::new();
    let functions = sqlx::query(
        "select p.oid::regprocedure::text as name, r.rolname::text as owner, \
                coalesce(p.proconfig, '{}') as config \
         from pg_proc p join pg_roles r on r.oid = p.proowner join pg_namespace n on n.oid = p.pronamespace \
         where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("definer functions");
    assert!(
        functions.len() >= 3,
        "the catalog query found too few definer functions"
    );
    for function in functions {
        let name: String = function.get("name");
        if function.get::<String, _>("owner") != "eventkit_owner" {
            breaches.push(format!("{name}: not owned by eventkit_owner"));
        }
        let config: Vec<String> = function.get("config");
        if !config.contains(&"search_path=pg_catalog, public, pg_temp".to_owned()) {
            breaches.push(format!(
                "{name}: SECURITY DEFINER without `set search_path = pg_catalog, public, pg_temp` ({config:?})"
            ));
        }
    }
    for role in ["eventkit_app", "eventkit_control"] {
        let (temporary, create): (bool, bool) = sqlx::query_as(
            "select has_database_privilege($1, current_database(), 'TEMPORARY'), \
                    has_schema_privilege($1, 'public', 'CREATE')",
        )
        .bind(role)
        .fetch_one(&mut *conn)
        .await
        .expect("privileges");
        if temporary {
            breaches.push(format!("{role} may create temporary objects"));
        }
        if create {
            breaches.push(format!("{role} may create objects in schema public"));
        }
    }
    breaches
}

#[tokio::test]
async fn every_definer_function_searches_pg_temp_last_and_the_service_roles_make_no_objects() {
    let env = TestEnv::start().await;
    let breaches = definer_breaches(&mut env.owner_connection().await).await;
    assert!(breaches.is_empty(), "breaches:\n{}", breaches.join("\n"));
}

#[tokio::test]
async fn the_definer_check_catches_an_unsafe_function_and_a_temp_grant() {
    let env = TestEnv::start().await;
    let mut owner = env.owner_connection().await;
    owner
        .execute(
            "create function careless() returns int language sql security definer set search_path = public as 'select 1'; \
             create function pathless() returns int language sql security definer as 'select 1'",
        )
        .await
        .unwrap();
    sqlx::query(&format!(
        "grant temporary on database \"{}\" to eventkit_control",
        env.database
    ))
    .execute(&env.admin_pool().await)
    .await
    .unwrap();
    let breaches = definer_breaches(&mut owner).await.join("\n");
    for expected in [
        "careless(): SECURITY DEFINER without",
        "pathless(): SECURITY DEFINER without",
        "eventkit_control may create temporary objects",
    ] {
        assert!(breaches.contains(expected), "{expected:?} in:\n{breaches}");
    }
}

/// A login role made for one test, dropped afterwards (roles are cluster-wide).
struct ThrowawayRole {
    name: String,
}

impl ThrowawayRole {
    const PASSWORD: &str = "throwaway-password";

    async fn create(kind: &str, attributes: &str) -> Self {
        let name = format!("ek_test_{kind}_{}", std::process::id());
        let mut admin = PgConnection::connect(&admin_url()).await.unwrap();
        admin
            .execute(
                format!(
                    "drop role if exists {name}; create role {name} login password '{}' {attributes}",
                    Self::PASSWORD
                )
                .as_str(),
            )
            .await
            .unwrap();
        Self { name }
    }

    /// A URL as this role to `database`, on the test server.
    fn url(&self, database: &str) -> String {
        with_database(
            &with_user(&admin_url(), &self.name, Self::PASSWORD),
            database,
        )
    }
}

impl Drop for ThrowawayRole {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    if let Ok(mut admin) = PgConnection::connect(&admin_url()).await {
                        let _ = admin
                            .execute(format!("drop role if exists {name}").as_str())
                            .await;
                    }
                })
        })
        .join();
    }
}

/// The error a tenant API built with `app_url` as its database stops with.
async fn tenant_api_refusal(env: &TestEnv, app_url: String) -> String {
    let mut config = env.tenant_api_config();
    config.shared.database.app = Secret::new(app_url);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    match eventkit_tenant_api::build(&config, listener).await {
        Ok(_) => panic!("the tenant API started as a role that can bypass row-level security"),
        Err(err) => format!("{err:#}"),
    }
}

#[tokio::test]
async fn services_refuse_to_start_as_a_role_that_can_bypass_row_level_security() {
    let env = TestEnv::start().await;
    let superuser = with_database(&admin_url(), &env.database);
    let owner = env.config.database.owner.expose().clone();

    let refused = tenant_api_refusal(&env, superuser).await;
    assert!(
        refused.contains("refusing to serve as database role postgres")
            && refused.contains("superuser"),
        "{refused}"
    );
    let refused = tenant_api_refusal(&env, owner.clone()).await;
    assert!(
        refused.contains("eventkit_owner, which could bypass") && refused.contains("it owns"),
        "{refused}"
    );

    let bypass = ThrowawayRole::create("bypassrls", "bypassrls").await;
    let refused = tenant_api_refusal(&env, bypass.url(&env.database)).await;
    assert!(refused.contains("BYPASSRLS"), "{refused}");
    let member = ThrowawayRole::create("member", "in role eventkit_owner").await;
    let refused = tenant_api_refusal(&env, member.url(&env.database)).await;
    assert!(
        refused.contains("member of eventkit_owner, which owns"),
        "{refused}"
    );

    // The control plane and the workers refuse too.
    let mut config = env.control_plane_config();
    config.shared.database.control = Secret::new(owner.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let refused = eventkit_control_plane::build(&config, listener)
        .await
        .err()
        .expect("the control plane refuses the owner");
    assert!(format!("{refused:#}").contains("it owns"), "{refused:#}");
    let mut config = env.workers_config();
    config.shared.database.app = Secret::new(owner);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let refused = eventkit_workers::build(&config, listener)
        .await
        .err()
        .expect("the workers refuse the owner");
    assert!(format!("{refused:#}").contains("it owns"), "{refused:#}");

    // The service roles themselves pass.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    eventkit_tenant_api::build(&env.tenant_api_config(), listener)
        .await
        .expect("eventkit_app is fine");
}

#[tokio::test]
async fn a_service_pool_opens_no_connection_once_its_role_could_bypass_row_level_security() {
    let env = TestEnv::start().await;
    let role = ThrowawayRole::create("later", "").await;
    let db = Db::connect_service(&role.url(&env.database), 2)
        .await
        .expect("a plain role starts");
    db.reads().fetch_all("select 1").await.expect("reads run");

    let mut admin = PgConnection::connect(&admin_url()).await.unwrap();
    admin
        .execute(format!("alter role {} bypassrls", role.name).as_str())
        .await
        .unwrap();
    // A new connection (the idle one is closed by a read abandoned half-way).
    let _ = tokio::time::timeout(
        Duration::from_millis(100),
        db.reads().fetch_all("select pg_sleep(5)"),
    )
    .await;
    let err = db
        .reads()
        .fetch_all("select 1")
        .await
        .expect_err("a connection as a BYPASSRLS role is refused");
    assert!(err.to_string().contains("BYPASSRLS"), "{err}");
}
