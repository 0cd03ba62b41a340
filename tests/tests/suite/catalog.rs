//! The data rules of DESIGN.md, read from the catalog: every table with a `tenant_id` has
//! ENABLE + FORCE row-level security, the fail-closed `tenant_isolation` policy for reads and
//! writes, a primary key and every index led by `tenant_id`, and foreign keys that carry
//! `tenant_id`, and the trigger that refuses rows of an erased tenant; the service roles cannot
//! bypass RLS; and `eventkit_app` without a tenant context sees no rows at all — also on a
//! pooled connection that had a context before.

use eventkit_tests::TestEnv;
use sqlx::{Connection, Executor, PgConnection, Row};

/// Every breach of the rules in the current database, as readable sentences.
async fn rule_breaches(conn: &mut PgConnection) -> Vec<String> {
    let mut breaches = Vec::new();
    let tables = sqlx::query(
        "select c.oid::regclass::text as name, c.relrowsecurity, c.relforcerowsecurity \
         from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'p') \
           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("tables");
    assert!(
        !tables.is_empty(),
        "no tenant tables found: the catalog query is wrong"
    );
    for table in tables {
        let name: String = table.get("name");
        if !table.get::<bool, _>("relrowsecurity") {
            breaches.push(format!("{name}: row-level security is not enabled"));
        }
        if !table.get::<bool, _>("relforcerowsecurity") {
            breaches.push(format!("{name}: row-level security is not forced"));
        }
        let policy = sqlx::query(
            "select qual, with_check, cmd, roles::text[] as roles from pg_policies where schemaname = 'public' and tablename = $1 and policyname = 'tenant_isolation'",
        )
        .bind(&name)
        .fetch_optional(&mut *conn)
        .await
        .expect("policy");
        let expected =
            "(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)";
        match policy {
            None => breaches.push(format!("{name}: no tenant_isolation policy")),
            Some(p) => {
                if p.get::<Option<String>, _>("qual").as_deref() != Some(expected) {
                    breaches.push(format!(
                        "{name}: tenant_isolation USING is not the fail-closed expression"
                    ));
                }
                if p.get::<Option<String>, _>("with_check").as_deref() != Some(expected) {
                    breaches.push(format!(
                        "{name}: tenant_isolation WITH CHECK is not the fail-closed expression"
                    ));
                }
                if p.get::<String, _>("cmd") != "ALL"
                    || p.get::<Vec<String>, _>("roles") != vec!["public".to_owned()]
                {
                    breaches.push(format!(
                        "{name}: tenant_isolation must apply to all commands and roles"
                    ));
                }
            }
        }
        let others: Vec<String> = sqlx::query_scalar(
            // Owner-only SELECT policies are allowed: the owner runs migrations and the narrow
            // SECURITY DEFINER functions (docs/adr/0012), and could switch RLS off anyway.
            "select policyname::text from pg_policies where schemaname = 'public' and tablename = $1 and policyname <> 'tenant_isolation' and permissive = 'PERMISSIVE' \
             and not (cmd = 'SELECT' and roles = '{eventkit_owner}'::name[])",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .expect("other policies");
        if !others.is_empty() {
            breaches.push(format!(
                "{name}: extra permissive policies widen access: {others:?}"
            ));
        }
        let guarded: bool = sqlx::query_scalar(
            "select exists (select 1 from pg_trigger where tgrelid = $1::regclass and tgname = 'tenant_not_erased' \
             and tgfoid = 'ek_refuse_rows_of_erased_tenants'::regproc and tgenabled <> 'D')",
        )
        .bind(&name)
        .fetch_one(&mut *conn)
        .await
        .expect("triggers");
        if !guarded {
            breaches.push(format!(
                "{name}: no tenant_not_erased trigger (rows could be written for an erased tenant)"
            ));
        }
        let indexes = sqlx::query(
            "select i.indexrelid::regclass::text as index, i.indisprimary, a.attname::text as first \
             from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0] \
             where i.indrelid = $1::regclass",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .expect("indexes");
        if !indexes.iter().any(|i| i.get::<bool, _>("indisprimary")) {
            breaches.push(format!("{name}: no primary key"));
        }
        for index in indexes {
            if index.get::<String, _>("first") != "tenant_id" {
                breaches.push(format!(
                    "{name}: index {} does not lead with tenant_id",
                    index.get::<String, _>("index")
                ));
            }
        }
        let foreign_keys = sqlx::query(
            "select conname::text as name, (select attname::text from pg_attribute where attrelid = conrelid and attnum = conkey[1]) as first \
             from pg_constraint where contype = 'f' and conrelid = $1::regclass \
               and exists (select 1 from pg_attribute where attrelid = confrelid and attname = 'tenant_id' and not attisdropped)",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .expect("foreign keys");
        for fk in foreign_keys {
            if fk.get::<String, _>("first") != "tenant_id" {
                breaches.push(format!(
                    "{name}: foreign key {} does not include tenant_id first",
                    fk.get::<String, _>("name")
                ));
            }
        }
    }
    for role in ["eventkit_app", "eventkit_control"] {
        let row = sqlx::query("select rolsuper, rolbypassrls from pg_roles where rolname = $1")
            .bind(role)
            .fetch_one(&mut *conn)
            .await
            .expect("role");
        if row.get::<bool, _>(0) || row.get::<bool, _>(1) {
            breaches.push(format!("{role} can bypass row-level security"));
        }
        let owns: i64 = sqlx::query_scalar("select count(*) from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = $1")
            .bind(role)
            .fetch_one(&mut *conn)
            .await
            .expect("ownership");
        if owns > 0 {
            breaches.push(format!(
                "{role} owns {owns} relations (owners are exempt without FORCE)"
            ));
        }
    }
    breaches
}

#[tokio::test]
async fn the_migrated_schema_follows_the_data_rules() {
    let env = TestEnv::start().await;
    let mut owner = env.owner_connection().await;
    let breaches = rule_breaches(&mut owner).await;
    assert!(
        breaches.is_empty(),
        "data rule breaches:\n{}",
        breaches.join("\n")
    );
}

#[tokio::test]
async fn the_rule_check_catches_an_unprotected_table() {
    let env = TestEnv::start().await;
    let mut owner = env.owner_connection().await;
    owner
        .execute("create table careless (tenant_id uuid not null, id uuid not null, primary key (id, tenant_id)); create index careless_id on careless (id)")
        .await
        .unwrap();
    let breaches = rule_breaches(&mut owner).await.join("\n");
    assert!(
        breaches.contains("careless: row-level security is not enabled"),
        "{breaches}"
    );
    assert!(
        breaches.contains("careless: no tenant_isolation policy"),
        "{breaches}"
    );
    assert!(
        breaches.contains("index careless_id does not lead with tenant_id"),
        "{breaches}"
    );
    assert!(
        breaches.contains("careless_pkey does not lead with tenant_id"),
        "{breaches}"
    );
    assert!(
        breaches.contains("careless: no tenant_not_erased trigger"),
        "{breaches}"
    );
}

#[tokio::test]
async fn the_app_role_without_tenant_context_sees_no_rows() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("Tenant A").await;
    env.call(
        Some(&a.api_key),
        "InventoryService/CreateProduct",
        serde_json::json!({"name": "Speaker"}),
    )
    .await
    .ok();

    let mut app = env.app_connection().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind = 'r' and has_table_privilege(c.oid, 'select')",
    )
    .fetch_all(&mut app)
    .await
    .unwrap();
    assert!(tables.contains(&"products".to_owned()) && tables.contains(&"tenants".to_owned()));

    // A pooled connection that served a tenant before: the setting reads back as '' afterwards.
    let mut tx = app.begin().await.unwrap();
    sqlx::query("select set_config('app.tenant_id', $1, true)")
        .bind(a.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let inside: i64 = sqlx::query_scalar("select count(*) from products")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(inside, 1, "the tenant sees its own product");
    tx.commit().await.unwrap();

    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!("select count(*) from \"{table}\""))
            .fetch_one(&mut app)
            .await
            .unwrap();
        assert_eq!(
            count, 0,
            "eventkit_app sees {count} rows of {table} without a tenant context"
        );
    }
    let write = sqlx::query(
        "insert into products (tenant_id, id, name) values ($1, gen_random_uuid(), 'sneaky')",
    )
    .bind(a.id)
    .execute(&mut app)
    .await;
    assert!(
        write.is_err(),
        "writes without tenant context must fail the policy"
    );
}

#[tokio::test]
async fn the_app_role_cannot_write_into_another_tenant() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("Tenant A").await;
    let b = env.create_tenant("Tenant B").await;
    let mut app = env.app_connection().await;
    let mut tx = app.begin().await.unwrap();
    sqlx::query("select set_config('app.tenant_id', $1, true)")
        .bind(b.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query(
        "insert into products (tenant_id, id, name) values ($1, gen_random_uuid(), 'planted')",
    )
    .bind(a.id)
    .execute(&mut *tx)
    .await
    .expect_err("WITH CHECK refuses rows of another tenant");
    assert_eq!(
        err.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("42501")
    );
}

#[tokio::test]
async fn one_round_trip_reads_leave_no_tenant_on_the_connection() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("Tenant A").await;
    env.call(
        Some(&a.api_key),
        "InventoryService/CreateProduct",
        serde_json::json!({"name": "Speaker"}),
    )
    .await
    .ok();
    // One connection, so the follow-up query surely runs where the one-shot read ran.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(env.config.database.app.expose())
        .await
        .unwrap();
    let db = eventkit_platform::db::Db::from_pool(pool.clone());
    let actor = eventkit_platform::db::Actor("test".into());
    let seen: Vec<(String,)> = db
        .tenant_read(a.id, &actor, "select name from products")
        .await
        .unwrap();
    assert_eq!(seen, vec![("Speaker".to_owned(),)]);
    // One-shot reads have their own connections (one here): the follow-up runs on that one.
    assert_eq!(db.reads().idle_count(), 1);
    let after = db
        .reads()
        .fetch_all("select coalesce(current_setting('app.tenant_id', true), ''), (select count(*) from products)")
        .await
        .unwrap();
    let after: (String, i64) = (after[0].get(0), after[0].get(1));
    assert_eq!(
        after,
        (String::new(), 0),
        "the tenant context ended with the one-shot read"
    );
}

/// The one-shot read connections: reused while in step, kept after an SQL error (the
/// connection is still in step), closed when a read is abandoned half-way.
#[tokio::test]
async fn read_connections_are_reused_kept_after_sql_errors_and_closed_when_abandoned() {
    let env = TestEnv::start().await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect_lazy(env.config.database.app.expose())
        .unwrap();
    let db = eventkit_platform::db::Db::from_pool(pool);
    // The PostgreSQL backend a one-shot read ran on.
    let backend = async |db: &eventkit_platform::db::Db| -> i32 {
        let rows = db
            .reads()
            .fetch_all("select pg_backend_pid()")
            .await
            .unwrap();
        rows[0].get(0)
    };
    let first = backend(&db).await;
    let again = backend(&db).await;
    assert_eq!(first, again, "an idle connection is reused");

    let err = db.reads().fetch_all("select 1 / 0").await.unwrap_err();
    assert!(matches!(err, sqlx::Error::Database(_)), "{err}");
    assert_eq!(
        db.reads().idle_count(),
        1,
        "an SQL error leaves the connection usable"
    );
    let after_error = backend(&db).await;
    assert_eq!(
        after_error, first,
        "and it is the same connection, still in step"
    );

    let abandoned = tokio::time::timeout(
        std::time::Duration::from_millis(200),
        db.reads().fetch_all("select pg_sleep(5)"),
    )
    .await;
    assert!(abandoned.is_err(), "the slow read was abandoned");
    assert_eq!(
        db.reads().idle_count(),
        0,
        "an abandoned read's connection is not put back"
    );
    let fresh = backend(&db).await;
    assert_ne!(fresh, first, "the next read opens a new connection");
}
