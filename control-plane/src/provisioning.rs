//! Making tenants: self-service sign-up (the tenant waits in `pending_approval`;
//! `tenant.signup_requested` asks the email worker to mail a one-time verification link, kept
//! for it outside tenant data, redeemed with `VerifySignupEmail`; only the token's hash is kept
//! in the registry), operator creation, approval, and provisioning — the default settings and
//! `tenant.provisioned`, done so that a retry after any failure finishes the job once and never
//! twice.

use crate::{
    ControlPlane,
    audit::{self, parse_reason},
    lifecycle::{By, operator_actor, set_state},
    registry::{self, TENANT_COLUMNS, TenantRow},
    secrets,
};
use chrono::Utc;
use eventkit_domain::ids::TenantId;
use eventkit_domain::{
    FieldViolation, Violations,
    events::payloads::{ProvisionedSettings, TenantProvisioned, TenantSignupRequested},
    inventory::NAME,
    lifecycle::{TenantState, Transition},
};
use eventkit_platform::{
    ApiError,
    auth::api_key,
    db::{Actor, TenantTx},
    identity::invitations,
    mail::links::{self, LinkedMessage},
    outbox,
    rate_limit::{PerClient, PerEmail},
};
use eventkit_platform::{auth::Operator, rpc::delegate::Anyone};
use eventkit_proto::controlplane::v1::*;
use serde_json::json;
use uuid::Uuid;

/// The prefix of sign-up verification tokens.
pub const VERIFICATION_PREFIX: &str = "ekv_";

/// How long the verification link waits for the mailer before it is swept unsent.
const VERIFICATION_MAILED_WITHIN: chrono::Duration = chrono::Duration::days(7);

/// Settings every tenant starts with; its admins change them later.
pub const DEFAULT_CURRENCY: &str = "EUR";
pub const DEFAULT_LOCALE: &str = "en-GB";
pub const DEFAULT_TIME_ZONE: &str = "UTC";
pub const DEFAULT_TAX_RATE_BP: i32 = 0;

/// A checked request for a new tenant.
pub struct NewTenant {
    pub name: String,
    pub plan: String,
    pub admin_email: Option<String>,
}

/// An email address as far as it can be checked without sending mail: one `@`, a dotted
/// domain, no spaces, at most 254 characters. The verification email proves the rest.
pub use eventkit_domain::email::parse_email;

impl NewTenant {
    pub fn parse(
        name_field: &str,
        name: &str,
        plan: &str,
        email: &str,
        email_required: bool,
    ) -> Result<Self, ApiError> {
        let mut v = Violations::new();
        let name = v.check(NAME.parse(name_field, name));
        let admin_email = if email.trim().is_empty() && !email_required {
            Some(None)
        } else {
            v.check(parse_email("admin_email", email).map(Some))
        };
        v.finish()?;
        let plan = if plan.trim().is_empty() {
            "free"
        } else {
            plan.trim()
        };
        Ok(Self {
            name: name.unwrap(),
            plan: plan.to_owned(),
            admin_email: admin_email.unwrap(),
        })
    }
}

/// `invalid_argument` on `plan` unless it names a plan.
pub async fn require_plan(
    conn: &mut sqlx::PgConnection,
    field: &str,
    plan: &str,
) -> Result<(), ApiError> {
    let known: Vec<String> = sqlx::query_scalar("select key from plans order by rank")
        .fetch_all(conn)
        .await?;
    if known.iter().any(|k| k == plan) {
        Ok(())
    } else {
        Err(FieldViolation::new(
            field,
            format!("unknown plan {plan:?}; known: {}", known.join(", ")),
        )
        .into())
    }
}

/// Inserts the registry row in `state` (the transaction's tenant id is the new tenant's).
pub async fn insert_registry(
    tx: &mut TenantTx,
    new: &NewTenant,
    state: TenantState,
) -> Result<TenantRow, ApiError> {
    Ok(sqlx::query_as(&format!(
        "insert into tenants (id, name, state, plan, admin_email) values ($1, $2, $3, $4, $5) returning {TENANT_COLUMNS}"
    ))
    .bind(tx.tenant_id())
    .bind(&new.name)
    .bind(state.as_str())
    .bind(&new.plan)
    .bind(&new.admin_email)
    .fetch_one(&mut **tx)
    .await?)
}

/// The default settings (unless the tenant has settings already) and the built-in roles.
pub async fn insert_defaults(tx: &mut TenantTx) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into tenant_settings (tenant_id, currency, locale, time_zone, tax_rate_bp) \
         values ($1, $2, $3, $4, $5) on conflict (tenant_id) do nothing",
    )
    .bind(tx.tenant_id())
    .bind(DEFAULT_CURRENCY)
    .bind(DEFAULT_LOCALE)
    .bind(DEFAULT_TIME_ZONE)
    .bind(DEFAULT_TAX_RATE_BP)
    .execute(&mut **tx)
    .await?;
    sqlx::query("select ek_insert_builtin_roles($1)")
        .bind(tx.tenant_id())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl ControlPlane {
    pub async fn sign_up(
        &self,
        caller: &Anyone,
        req: SignUpRequest,
    ) -> Result<SignUpResponse, ApiError> {
        let new = NewTenant::parse(
            "company_name",
            &req.company_name,
            &req.plan,
            &req.admin_email,
            true,
        )?;
        // Each sign-up is a registry row and a verification email: throttled per client and
        // per address (the address was required above).
        self.throttles
            .admit_client(PerClient::SignUps, caller.client)
            .await?;
        if let Some(email) = &new.admin_email {
            self.throttles.admit_email(PerEmail::SignUps, email).await?;
        }
        let tenant_id = TenantId::new();
        let mut tx = self
            .db
            .tenant_tx(tenant_id, &Actor::system("signup"))
            .await?;
        require_plan(&mut tx, "plan", &new.plan).await?;
        insert_registry(&mut tx, &new, TenantState::PendingApproval).await?;
        let token = secrets::generate(VERIFICATION_PREFIX);
        sqlx::query("update tenants set admin_email_verification_hash = $2 where id = $1")
            .bind(tenant_id)
            .bind(secrets::hash(&token))
            .execute(&mut *tx)
            .await?;
        // The link waits for the mailer outside tenant data (docs/adr/0033): the event names
        // only the tenant.
        let verify_url = format!(
            "{}/signup/verify?tenant={tenant_id}&token={token}",
            self.public_url.trim_end_matches('/')
        );
        links::keep(
            &mut tx,
            tenant_id.uuid(),
            LinkedMessage::SignupVerification,
            &verify_url,
            Utc::now() + VERIFICATION_MAILED_WITHIN,
        )
        .await?;
        let requested = TenantSignupRequested {
            tenant_id,
            company_name: new.name.clone(),
            admin_email: new.admin_email.clone(),
            plan: new.plan.clone(),
        };
        let event = outbox::Event::TenantSignupRequested(requested);
        outbox::emit(&mut tx, tenant_id.uuid(), event).await?;
        tx.commit().await?;
        Ok(SignUpResponse {
            tenant_id: tenant_id.to_string(),
        })
    }

    /// Marks the admin's address verified; the token works once.
    pub async fn verify_signup_email(
        &self,
        caller: &Anyone,
        req: VerifySignupEmailRequest,
    ) -> Result<VerifySignupEmailResponse, ApiError> {
        let token = req.token.trim();
        if !token.starts_with(VERIFICATION_PREFIX) {
            return Err(FieldViolation::new("token", "is not a verification token (ekv_…)").into());
        }
        self.throttles
            .refuse_while_failing(PerClient::CredentialFailures, caller.client)
            .await?;
        let tenant: Option<TenantId> = sqlx::query_scalar(
            "update tenants set admin_email_verified_at = now(), admin_email_verification_hash = null, updated_at = now() \
             where admin_email_verification_hash = $1 returning id",
        )
        .bind(secrets::hash(token))
        .fetch_optional(self.db.pool())
        .await?;
        let Some(tenant_id) = tenant else {
            self.throttles
                .count_failure(PerClient::CredentialFailures, caller.client)
                .await;
            return Err(ApiError::NotFound(
                "unknown or already used verification token".into(),
            ));
        };
        links::forget(&mut *self.db.pool().acquire().await?, &[tenant_id.uuid()]).await?;
        Ok(VerifySignupEmailResponse {
            tenant_id: tenant_id.to_string(),
        })
    }

    pub async fn create_tenant(
        &self,
        op: &Operator,
        req: CreateTenantRequest,
    ) -> Result<CreateTenantResponse, ApiError> {
        let new = NewTenant::parse("name", &req.name, &req.plan, &req.admin_email, false)?;
        let reason = parse_reason(&req.reason, false)?;
        let tenant_id = TenantId::new();
        let mut tx = self.db.tenant_tx(tenant_id, &operator_actor(op)).await?;
        require_plan(&mut tx, "plan", &new.plan).await?;
        insert_registry(&mut tx, &new, TenantState::Provisioning).await?;
        let api_key = if req.create_api_key {
            let key =
                api_key::create(&mut tx, "admin (created with the tenant)", &["*"], None).await?;
            key.key.expose().clone()
        } else {
            String::new()
        };
        let detail = json!({ "name": new.name, "plan": new.plan, "apiKey": req.create_api_key });
        audit::record(
            &mut tx,
            op,
            "CreateTenant",
            Some(tenant_id),
            &reason,
            detail,
        )
        .await?;
        tx.commit().await?;
        let row = self.provision(tenant_id, &operator_actor(op)).await?;
        Ok(CreateTenantResponse {
            tenant: Some(row.into()),
            api_key,
        })
    }

    /// Approves a signed-up tenant and provisions it. Approving one that is already
    /// provisioning (an earlier attempt failed half-way) finishes the provisioning.
    pub async fn approve_tenant(
        &self,
        op: &Operator,
        req: ApproveTenantRequest,
    ) -> Result<ApproveTenantResponse, ApiError> {
        let tenant_id = registry::parse_tenant_id(&req.tenant_id)?;
        let reason = parse_reason(&req.reason, false)?;
        let current =
            registry::fetch(&mut *self.db.pool().acquire().await?, tenant_id, false).await?;
        if current.state()? != TenantState::Provisioning {
            self.transition(
                tenant_id,
                Transition::Approve,
                By::Operator {
                    operator: op,
                    action: "ApproveTenant",
                    reason: &reason,
                },
            )
            .await?;
        }
        let row = self.provision(tenant_id, &operator_actor(op)).await?;
        Ok(ApproveTenantResponse {
            tenant: Some(row.into()),
        })
    }

    /// Provisions a tenant in `provisioning`: default settings, `tenant.provisioned`, active.
    /// Idempotent: an active tenant is returned as it is, with nothing written or emitted.
    pub async fn provision(
        &self,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<TenantRow, ApiError> {
        let mut tx = self.db.tenant_tx(tenant_id, actor).await?;
        let row = registry::fetch(&mut tx, tenant_id, true).await?;
        let from = row.state()?;
        if from == TenantState::Active {
            return Ok(row);
        }
        let to = from
            .apply(Transition::Provisioned)
            .map_err(|e| ApiError::FailedPrecondition(e.to_string()))?;
        insert_defaults(&mut tx).await?;
        if let Some(email) = &row.admin_email {
            self.invite_first_admin(&mut tx, email).await?;
        }
        let row = set_state(&mut tx, &row, to).await?;
        let settings = registry::settings(&mut tx, tenant_id)
            .await?
            .unwrap_or_default();
        let provisioned = TenantProvisioned {
            tenant_id,
            name: row.name.clone(),
            plan: row.plan.clone(),
            admin_email: row.admin_email.clone(),
            settings: ProvisionedSettings {
                currency: settings.currency,
                locale: settings.locale,
                time_zone: settings.time_zone,
                tax_rate_bp: settings.tax_rate_bp,
            },
        };
        let event = outbox::Event::TenantProvisioned(provisioned);
        outbox::emit(&mut tx, tenant_id.uuid(), event).await?;
        tx.commit().await?;
        self.announce(tenant_id).await;
        Ok(row)
    }
}

impl ControlPlane {
    /// Invites the admin contact as the tenant's first member, with the Admin role; the
    /// invitation email goes out through the outbox with the provisioning.
    async fn invite_first_admin(&self, tx: &mut TenantTx, email: &str) -> Result<(), ApiError> {
        let admin_role: Uuid = sqlx::query_scalar("select id from roles where builtin = 'admin'")
            .fetch_one(&mut **tx)
            .await?;
        invitations::create(
            tx,
            &email.to_lowercase(),
            &[admin_role],
            None,
            &self.public_url,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_loosely_but_surely() {
        assert_eq!(
            parse_email("e", " admin@example.com ").unwrap(),
            "admin@example.com"
        );
        for bad in [
            "",
            "admin",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
            "a@b.com.",
        ] {
            assert!(parse_email("e", bad).is_err(), "{bad}");
        }
    }
}
