//! Bad input to every operator command gets a clear error, the documented exit code, and
//! changes nothing: unknown tenants and plans, malformed ids, negative quotas, unknown quota
//! keys and fields, missing reasons, erasure without confirmation, transitions the lifecycle
//! forbids, missing or wrong operator tokens, an unreachable control plane, a bad command line.

use eventkit_ekctl::exit;
use eventkit_tests::{TestEnv, ekctl::Ekctl};
use sqlx::PgPool;

/// Everything an operator command could change, as one comparable snapshot.
async fn snapshot(admin: &PgPool) -> String {
    sqlx::query_scalar(
        "select concat_ws(' | ', \
            (select string_agg(id || ':' || state || ':' || plan, ',' order by id) from tenants), \
            (select string_agg(t::text, ',' order by key) from plans t), \
            (select count(*) from quota_overrides), \
            (select count(*) from operator_audit), \
            (select count(*) from outbox))",
    )
    .fetch_one(admin)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_operator_command_refuses_bad_input_and_changes_nothing() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("dave").await);
    let created = ekctl
        .json(&[
            "tenants", "create", "--name", "Existing", "--plan", "starter",
        ])
        .await;
    let id = created["tenant"]["id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::now_v7().to_string();
    let admin = env.admin_pool().await;
    let before = snapshot(&admin).await;

    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["tenants", "show", &unknown],
            exit::NOT_FOUND,
            "not found",
        ),
        (
            vec!["tenants", "show", "acme"],
            exit::INVALID,
            "tenant_id: must be a UUID",
        ),
        (
            vec!["tenants", "approve", &unknown],
            exit::NOT_FOUND,
            "not found",
        ),
        (
            vec!["tenants", "suspend", &unknown, "--reason", "x"],
            exit::NOT_FOUND,
            "not found",
        ),
        (
            vec!["tenants", "resume", &unknown],
            exit::NOT_FOUND,
            "not found",
        ),
        (
            vec!["tenants", "delete", &unknown, "--reason", "x"],
            exit::NOT_FOUND,
            "not found",
        ),
        (
            vec!["tenants", "cancel-deletion", &unknown],
            exit::NOT_FOUND,
            "not found",
        ),
        (
            vec![
                "tenants",
                "erase",
                &unknown,
                "--confirm",
                &unknown,
                "--reason",
                "x",
            ],
            exit::NOT_FOUND,
            "not found",
        ),
        (vec!["usage", &unknown], exit::NOT_FOUND, "not found"),
        (
            vec!["quotas", "set", &unknown, "assets", "5"],
            exit::NOT_FOUND,
            "not found",
        ),
        (
            vec!["tenants", "create", "--name", "New", "--plan", "platinum"],
            exit::INVALID,
            "unknown plan \"platinum\"",
        ),
        (
            vec!["tenants", "create", "--name", "", "--plan", "pro"],
            exit::INVALID,
            "name: is required",
        ),
        (
            vec![
                "tenants",
                "create",
                "--name",
                "New",
                "--admin-email",
                "nope",
            ],
            exit::INVALID,
            "admin_email",
        ),
        (
            vec!["plans", "show", "platinum"],
            exit::NOT_FOUND,
            "plan \"platinum\" not found",
        ),
        (
            vec!["plans", "set", "platinum", "assets", "5"],
            exit::NOT_FOUND,
            "plan \"platinum\" not found",
        ),
        (
            vec!["plans", "set", "pro", "assets", "-5"],
            exit::INVALID,
            "plan.quotas.assets: must be zero or more",
        ),
        (
            vec!["plans", "set", "pro", "overage_cap_percent", "50"],
            exit::INVALID,
            "between 100 and 1000",
        ),
        (
            vec!["plans", "set", "pro", "colour", "5"],
            exit::INVALID,
            "cannot change \"colour\"",
        ),
        (
            vec!["quotas", "set", &id, "assets", "-5"],
            exit::INVALID,
            "limit: must be zero or more",
        ),
        (
            vec!["quotas", "set", &id, "rockets", "5"],
            exit::INVALID,
            "unknown quota \"rockets\"",
        ),
        (
            vec!["quotas", "set", &id, "assets", "lots"],
            exit::INVALID,
            "must be a whole number",
        ),
        (
            vec!["tenants", "suspend", &id],
            exit::INVALID,
            "reason: is required",
        ),
        (
            vec!["tenants", "delete", &id],
            exit::INVALID,
            "reason: is required",
        ),
        (
            vec!["tenants", "erase", &id, "--reason", "x"],
            exit::INVALID,
            "confirm_tenant_id: must repeat tenant_id",
        ),
        (
            vec![
                "tenants",
                "erase",
                &id,
                "--confirm",
                &unknown,
                "--reason",
                "x",
            ],
            exit::INVALID,
            "confirm_tenant_id",
        ),
        (
            vec!["tenants", "erase", &id, "--confirm", &id],
            exit::INVALID,
            "reason: is required",
        ),
        (
            vec!["tenants", "erase", &id, "--confirm", &id, "--reason", "x"],
            exit::REFUSED,
            "cannot erase a tenant that is active",
        ),
        (
            vec!["tenants", "resume", &id],
            exit::REFUSED,
            "cannot resume a tenant that is active",
        ),
        (
            vec!["tenants", "cancel-deletion", &id],
            exit::REFUSED,
            "cannot cancel the deletion of a tenant that is active",
        ),
        (
            vec!["tenants", "approve", &id],
            exit::REFUSED,
            "cannot approve a tenant that is active",
        ),
        (
            vec!["tenants", "list", "--state", "sleeping"],
            exit::INVALID,
            "unknown state",
        ),
        (
            vec!["tenants", "frobnicate"],
            exit::USAGE,
            "unrecognized subcommand",
        ),
        (vec!["quotas", "set", &id], exit::USAGE, "required"),
    ];
    for (args, code, says) in &cases {
        let out = ekctl.run(args).await;
        assert_eq!(
            out.code, *code,
            "ekctl {args:?}: {}{}",
            out.stdout, out.stderr
        );
        assert!(
            out.stderr.contains(says),
            "ekctl {args:?} should say {says:?}: {}",
            out.stderr
        );
        assert!(
            out.stdout.is_empty(),
            "ekctl {args:?} printed {}",
            out.stdout
        );
    }
    assert_eq!(
        snapshot(&admin).await,
        before,
        "a refused command changed something"
    );

    let no_token = Ekctl {
        token: None,
        ..Ekctl::new(cp.addr, "")
    };
    let out = no_token.run(&["tenants", "list"]).await;
    assert_eq!(
        (out.code, out.stderr.contains("EKCTL_TOKEN")),
        (exit::AUTH, true),
        "{}",
        out.stderr
    );
    let wrong = Ekctl::new(cp.addr, "ekop_0000000000000000000000000000000000000000");
    let out = wrong
        .run(&["tenants", "suspend", &id, "--reason", "x"])
        .await;
    assert_eq!(out.code, exit::AUTH, "{}", out.stderr);
    // With --json, errors are JSON too (on stderr), with the Connect code.
    let out = ekctl.run(&["--json", "tenants", "show", &unknown]).await;
    let error: serde_json::Value = serde_json::from_str(&out.stderr).expect("JSON error");
    assert_eq!(
        (out.code, error["code"].as_str()),
        (exit::NOT_FOUND, Some("not_found"))
    );
    assert!(error["message"].as_str().unwrap().contains(&unknown));

    // A revoked token stops working at once.
    let temp = Ekctl::new(cp.addr, &env.operator_token("temp").await);
    assert_eq!(temp.run(&["plans", "list"]).await.code, 0);
    let control = env.control_db();
    eventkit_control_plane::operator_auth::revoke_token(control.pool(), "temp")
        .await
        .unwrap();
    assert_eq!(temp.run(&["plans", "list"]).await.code, exit::AUTH);
    assert!(
        eventkit_control_plane::operator_auth::revoke_token(control.pool(), "temp")
            .await
            .is_err(),
        "nothing left to revoke"
    );
    let tokens = eventkit_control_plane::operator_auth::list_tokens(control.pool())
        .await
        .unwrap();
    assert_eq!(tokens.len(), 2);
    assert!(tokens[1]["revokedAt"].is_string() && tokens[0]["revokedAt"].is_null());
    assert!(!serde_json::to_string(&tokens).unwrap().contains("ekop_"));
    let tenant_key = Ekctl::new(cp.addr, &env.create_tenant("Other").await.api_key);
    assert_eq!(
        tenant_key.run(&["tenants", "list"]).await.code,
        exit::AUTH,
        "a tenant key is no operator token"
    );
    let nowhere = Ekctl {
        url: "http://127.0.0.1:1".into(),
        ..Ekctl::new(cp.addr, "ekop_x")
    };
    let out = nowhere.run(&["tenants", "list"]).await;
    assert_eq!(out.code, exit::UNAVAILABLE, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot reach the control plane"),
        "{}",
        out.stderr
    );
    let state: String = sqlx::query_scalar("select state from tenants where id = $1::uuid")
        .bind(&id)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(state, "active");
}
