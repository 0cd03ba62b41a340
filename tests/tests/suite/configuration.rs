//! Each deployable reads only its own settings (issue 17): the tenant API does not parse the
//! workers' SMTP settings, so a bad one stops the workers and nothing else; a bad setting of the
//! tenant API's own stops only the tenant API; and a shared one stops every deployable.

use eventkit_control_plane::config::ControlPlaneConfig;
use eventkit_platform::config::var_set;
use eventkit_tenant_api::config::TenantApiConfig;
use eventkit_workers::config::WorkersConfig;
use std::collections::HashMap;

fn vars(var: &str, value: &str) -> HashMap<String, String> {
    var_set(&[(var, value)])
}

#[test]
fn a_malformed_smtp_setting_stops_the_workers_and_not_the_tenant_api() {
    for bad in [
        "mail.example.com:25",
        "https://user:s3cret@mail.example.com",
    ] {
        let smtp = vars("EVENTKIT_SMTP_URL", bad);
        let refused = WorkersConfig::from_vars(&smtp).unwrap_err();
        assert_eq!(refused.var, "EVENTKIT_SMTP_URL", "{bad}");
        assert!(!refused.to_string().contains("s3cret"), "{refused}");
        TenantApiConfig::from_vars(&smtp).expect("the tenant API does not read SMTP settings");
        ControlPlaneConfig::from_vars(&smtp)
            .expect("the control plane does not read SMTP settings");
    }
    let mail = vars("EVENTKIT_WEBHOOK_CONCURRENCY", "0");
    assert_eq!(
        WorkersConfig::from_vars(&mail).unwrap_err().var,
        "EVENTKIT_WEBHOOK_CONCURRENCY"
    );
    TenantApiConfig::from_vars(&mail).expect("the dispatcher's settings are the workers' own");
}

#[test]
fn a_setting_of_the_tenant_api_stops_only_the_tenant_api_and_shared_ones_stop_all() {
    let dns = vars("EVENTKIT_DNS_SERVERS", "10.0.0.2");
    assert_eq!(
        TenantApiConfig::from_vars(&dns).unwrap_err().var,
        "EVENTKIT_DNS_SERVERS"
    );
    WorkersConfig::from_vars(&dns).expect("the workers do not read the SSO name servers");
    ControlPlaneConfig::from_vars(&dns).expect("nor does the control plane");

    let shared = vars("EVENTKIT_REQUEST_TIMEOUT_MS", "soon");
    for refused in [
        TenantApiConfig::from_vars(&shared).err().map(|e| e.var),
        ControlPlaneConfig::from_vars(&shared).err().map(|e| e.var),
        WorkersConfig::from_vars(&shared).err().map(|e| e.var),
    ] {
        assert_eq!(refused, Some("EVENTKIT_REQUEST_TIMEOUT_MS"));
    }
}

#[test]
fn every_deployable_keeps_its_secrets_out_of_debug() {
    let secrets = var_set(&[
        (
            "DATABASE_URL",
            "postgres://eventkit_app:db-s3cret@db/eventkit",
        ),
        ("EVENTKIT_SMTP_URL", "smtps://mailer:smtp-s3cret@mail:465"),
        ("EVENTKIT_DOWNLOAD_SIGNING_KEY", "signing-s3cret"),
        ("EVENTKIT_METRICS_TOKEN", "metrics-s3cret"),
        ("EVENTKIT_OIDC_ISSUER", "https://idp"),
        ("EVENTKIT_OIDC_CLIENT_ID", "eventkit"),
        ("EVENTKIT_OIDC_CLIENT_SECRET", "oidc-s3cret"),
    ]);
    for shown in [
        format!("{:?}", TenantApiConfig::from_vars(&secrets).unwrap()),
        format!("{:?}", ControlPlaneConfig::from_vars(&secrets).unwrap()),
        format!("{:?}", WorkersConfig::from_vars(&secrets).unwrap()),
    ] {
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
