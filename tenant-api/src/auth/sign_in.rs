//! Signing in, refreshing, signing out and listing one's tenants. Wrong email and wrong
//! password answer alike and take as long (the password check runs against a dummy hash for
//! unknown emails); failures count towards the account's lockout and the client's failure
//! throttle ([`Auth::check_password`]).

use super::{Answer, Auth, Caller, Cookies};
use eventkit_domain::email::parse_account_email;
use eventkit_domain::ids::UserId;
use eventkit_platform::{
    ApiError,
    identity::{
        lockout, memberships,
        second_factor::{self, Factor, Proof},
        security_log::SecurityEvent,
        sessions::RefreshRefused,
    },
};
use eventkit_proto::eventkit::v1::*;

const WRONG: &str = "the email or password is wrong";

#[derive(sqlx::FromRow)]
pub(super) struct Account {
    pub id: UserId,
    pub email: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
}

pub(super) const ACCOUNT: &str = "select id, email, password_hash, totp_secret, \
     totp_enabled_at is not null as totp_enabled, totp_last_step from users";

impl Auth {
    pub async fn sign_in(
        &self,
        caller: &Caller,
        request: SignInRequest,
    ) -> Result<Answer<SignInResponse>, ApiError> {
        let email = parse_account_email("email", &request.email)?;
        if request.password.is_empty() {
            return Err(ApiError::invalid("password", "is required"));
        }
        let address = caller.address.as_deref();
        let account = self
            .prove_account(
                &email,
                request.password,
                &request.totp_code,
                &request.recovery_code,
                caller,
            )
            .await?;
        let (tenant_id, tenants) = self
            .pick_tenant(account.id, "tenant_id", &request.tenant_id)
            .await?;
        let session = self.sessions.start(account.id, tenant_id).await?;
        self.log(
            tenant_id,
            SecurityEvent {
                kind: "sign_in.succeeded",
                actor: &format!("user:{}", account.id),
                subject: &format!("user:{}", account.id),
                address,
                detail: serde_json::json!({ "method": "password", "secondFactor": account.totp_enabled }),
            },
        )
        .await?;
        Ok(Answer {
            body: SignInResponse {
                session: Some(Self::session_pb(&session, caller.cookies)),
                tenants: Self::tenants_pb(&tenants),
            },
            cookies: Cookies::Set(session),
        })
    }

    /// The account of `email` if `password` (and the second factor, once enrolled) is right;
    /// failures count towards the account's lockout and the client's failure throttle
    /// ([`Auth::check_password`]).
    pub(super) async fn prove_account(
        &self,
        email: &str,
        password: String,
        totp_code: &str,
        recovery_code: &str,
        caller: &Caller,
    ) -> Result<Account, ApiError> {
        let account: Option<Account> = sqlx::query_as(&format!("{ACCOUNT} where email = $1"))
            .bind(email)
            .fetch_optional(self.accounts.pool())
            .await?;
        let stored = account.as_ref().and_then(|a| a.password_hash.clone());
        let matches = self.check_password(caller, email, stored, password).await?;
        let account = match account {
            Some(account) if matches => account,
            other => {
                if let Some(account) = other {
                    self.log_everywhere(account.id, "sign_in.failed", caller.address.as_deref())
                        .await?;
                }
                return Err(ApiError::Unauthenticated(WRONG.into()));
            }
        };
        if account.totp_enabled {
            self.second_factor(&account, totp_code, recovery_code, caller)
                .await?;
        }
        lockout::clear(self.accounts.db(), email).await?;
        Ok(account)
    }

    /// Checks the TOTP code (once per time step) or uses up a recovery code.
    async fn second_factor(
        &self,
        account: &Account,
        code: &str,
        recovery_code: &str,
        caller: &Caller,
    ) -> Result<(), ApiError> {
        let factor = Factor {
            user_id: account.id,
            secret: account.totp_secret.as_deref().unwrap_or_default(),
            last_step: account.totp_last_step,
        };
        let mut conn = self.accounts.pool().acquire().await?;
        let proof = second_factor::prove(&mut conn, &factor, code, recovery_code).await;
        drop(conn); // back to the pool before the failure is recorded on another connection
        let ok = match proof? {
            Proof::Accepted => true,
            Proof::Refused => false,
            Proof::Missing => {
                return Err(ApiError::Unauthenticated(
                    "a second factor is required: send totp_code (or a recovery_code)".into(),
                ));
            }
        };
        if ok {
            return Ok(());
        }
        self.count_password_failure(caller, &account.email).await?;
        self.log_everywhere(account.id, "sign_in.failed", caller.address.as_deref())
            .await?;
        Err(ApiError::Unauthenticated(
            "the second-factor code is wrong or was used already".into(),
        ))
    }

    pub async fn refresh_session(
        &self,
        caller: &Caller,
        request: RefreshSessionRequest,
    ) -> Result<Answer<RefreshSessionResponse>, ApiError> {
        let token = refresh_token(caller, &request.refresh_token)?;
        let rotated = self
            .sessions
            .rotate(&token, async |user_id, only_tenant| {
                let wanted = match only_tenant {
                    None => request.tenant_id.clone(),
                    Some(only) if request.tenant_id.trim().is_empty() => only.to_string(),
                    Some(only) if request.tenant_id.trim() == only.to_string() => only.to_string(),
                    Some(_) => {
                        return Err(ApiError::PermissionDenied(
                            "this sign-in came through a tenant's own identity provider and is \
                             limited to that tenant: sign in again to switch"
                                .into(),
                        ));
                    }
                };
                Ok(self.pick_tenant(user_id, "tenant_id", &wanted).await?.0)
            })
            .await?;
        match rotated {
            Ok(session) => Ok(Answer {
                body: RefreshSessionResponse {
                    session: Some(Self::session_pb(&session, caller.cookies)),
                },
                cookies: Cookies::Set(session),
            }),
            Err(RefreshRefused::Reused { user_id }) => {
                self.log_everywhere(
                    user_id,
                    "session.refresh_token_reused",
                    caller.address.as_deref(),
                )
                .await?;
                Err(ApiError::Unauthenticated(
                    "this refresh token was used already, so it may have been stolen: every \
                     session of that sign-in has been ended; sign in again"
                        .into(),
                ))
            }
            Err(why) => Err(ApiError::Unauthenticated(format!(
                "the refresh token is {}: sign in again",
                match why {
                    RefreshRefused::Expired => "expired",
                    RefreshRefused::Revoked => "revoked",
                    _ => "not valid",
                }
            ))),
        }
    }

    pub async fn sign_out(
        &self,
        caller: &Caller,
        request: SignOutRequest,
    ) -> Result<Answer<SignOutResponse>, ApiError> {
        let token = refresh_token(caller, &request.refresh_token)?;
        if let Some(user_id) = self.sessions.sign_out(&token).await?
            && let Some(tenant_id) = caller.principal.as_ref().map(|p| p.tenant_id)
        {
            self.log(
                tenant_id,
                SecurityEvent {
                    kind: "sign_out",
                    actor: &format!("user:{user_id}"),
                    subject: &format!("user:{user_id}"),
                    address: caller.address.as_deref(),
                    detail: serde_json::json!({}),
                },
            )
            .await?;
        }
        Ok(Answer {
            body: SignOutResponse {},
            cookies: Cookies::Clear,
        })
    }

    pub async fn list_my_tenants(
        &self,
        caller: &Caller,
        _request: ListMyTenantsRequest,
    ) -> Result<Answer<ListMyTenantsResponse>, ApiError> {
        let (user_id, _) = caller.user()?;
        let tenants = memberships::tenants_of(self.accounts.db(), user_id).await?;
        Ok(Answer {
            body: ListMyTenantsResponse {
                tenants: Self::tenants_pb(&tenants),
            },
            cookies: Cookies::Keep,
        })
    }
}

/// The refresh token from the request, or from the cookie (after its CSRF check) for cookie
/// sessions.
fn refresh_token(caller: &Caller, field: &str) -> Result<String, ApiError> {
    if !field.trim().is_empty() {
        return Ok(field.trim().to_owned());
    }
    match &caller.refresh_cookie {
        Some(cookie) => Ok(cookie.token()?.to_owned()),
        None => Err(ApiError::invalid("refresh_token", "is required")),
    }
}
