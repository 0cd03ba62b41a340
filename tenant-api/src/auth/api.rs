//! AuthService over tonic: every RPC builds the [`Caller`] from the request, delegates to the
//! method of the same name on [`Auth`], and turns the session-cookie instruction of the answer
//! into `Set-Cookie` headers when the browser asked for cookie sessions.

use super::{Answer, Auth, Caller, Cookies};
use eventkit_platform::{
    ApiError,
    auth::{Principal, cookies},
    identity::{sessions, tokens},
    rpc::client_address::ClientAddress,
};
use eventkit_proto::eventkit::v1::{auth_service_server::AuthService, *};

pub struct AuthApi(Auth);

impl AuthApi {
    pub fn new(logic: Auth) -> Self {
        Self(logic)
    }
}

fn caller<T>(request: &tonic::Request<T>) -> Caller {
    let headers = request.metadata().clone().into_headers();
    let client = request.extensions().get::<ClientAddress>().copied();
    Caller {
        principal: request.extensions().get::<Principal>().cloned(),
        address: client.map(|c| c.to_string()),
        client,
        cookies: cookies::wants_cookies(&headers),
        refresh_cookie: cookies::RefreshCookie::from_headers(&headers),
        sso_flow: cookies::get(&headers, cookies::SSO_FLOW).map(str::to_owned),
    }
}

fn respond<T>(
    caller: &Caller,
    answer: Result<Answer<T>, ApiError>,
) -> Result<tonic::Response<T>, tonic::Status> {
    let answer = answer?;
    let mut response = tonic::Response::new(answer.body);
    let values = match &answer.cookies {
        Cookies::SsoFlow(nonce) => vec![cookies::sso_flow(
            nonce,
            super::sso::FLOW_VALID_FOR.num_seconds(),
        )],
        _ if !caller.cookies => return Ok(response),
        Cookies::Keep => return Ok(response),
        Cookies::Set(s) => cookies::set_session(
            Some((
                &s.access_token,
                sessions::ACCESS_TTL.num_seconds(),
                &s.refresh_token,
                sessions::REFRESH_TTL.num_seconds(),
            )),
            &tokens::generate(""),
        ),
        Cookies::Clear => cookies::set_session(None, ""),
    };
    for value in values {
        if let Ok(value) = tonic::metadata::MetadataValue::try_from(value.as_bytes()) {
            response.metadata_mut().append("set-cookie", value);
        }
    }
    Ok(response)
}

/// The trait impl: each RPC delegates to the method of the same name; `refresh_token: field`
/// names the request field whose emptiness leaves the refresh token to the cookie.
macro_rules! rpcs {
    ($($method:ident($request:ty) -> $response:ty $(, refresh_token: $field:ident)?;)*) => {
        #[tonic::async_trait]
        impl AuthService for AuthApi {
            $(
                async fn $method(
                    &self,
                    request: tonic::Request<$request>,
                ) -> Result<tonic::Response<$response>, tonic::Status> {
                    #[allow(unused_mut)]
                    let mut caller = caller(&request);
                    $(caller.leaves_refresh_token_to_cookie(&request.get_ref().$field);)?
                    let answer = self.0.$method(&caller, request.into_inner()).await;
                    respond(&caller, answer)
                }
            )*
        }
    };
}

rpcs! {
    sign_in(SignInRequest) -> SignInResponse;
    refresh_session(RefreshSessionRequest) -> RefreshSessionResponse, refresh_token: refresh_token;
    sign_out(SignOutRequest) -> SignOutResponse, refresh_token: refresh_token;
    get_me(GetMeRequest) -> GetMeResponse;
    list_my_tenants(ListMyTenantsRequest) -> ListMyTenantsResponse;
    request_password_reset(RequestPasswordResetRequest) -> RequestPasswordResetResponse;
    reset_password(ResetPasswordRequest) -> ResetPasswordResponse;
    get_invitation(GetInvitationRequest) -> GetInvitationResponse;
    accept_invitation(AcceptInvitationRequest) -> AcceptInvitationResponse;
    start_totp_enrollment(StartTotpEnrollmentRequest) -> StartTotpEnrollmentResponse;
    confirm_totp_enrollment(ConfirmTotpEnrollmentRequest) -> ConfirmTotpEnrollmentResponse;
    disable_totp(DisableTotpRequest) -> DisableTotpResponse;
    start_sso_sign_in(StartSsoSignInRequest) -> StartSsoSignInResponse;
    finish_sso_sign_in(FinishSsoSignInRequest) -> FinishSsoSignInResponse;
    link_sso_identity(LinkSsoIdentityRequest) -> LinkSsoIdentityResponse;
}
