//! Who calls a control-plane RPC, as a type: an [`Operator`] (operator token), a tenant's
//! [`Principal`] (tenant credential, for the account service) or [`Anyone`] (sign-up, known by
//! its address only). The
//! guard attaches the first two to the request; `delegate!` hands each RPC its caller and the
//! plain request, so the service logic never touches tonic.

use eventkit_platform::{auth::Principal, rpc::client_address::ClientAddress};
use uuid::Uuid;

/// A platform operator, identified by the operator token it presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub token_id: Uuid,
    pub name: String,
}

/// A caller of a public RPC: its address, what throttles count it by.
#[derive(Debug, Clone, Copy)]
pub struct Anyone {
    pub client: Option<ClientAddress>,
}

pub trait Caller: Sized {
    fn of<T>(request: &tonic::Request<T>) -> Result<Self, tonic::Status>;
}

impl Caller for Operator {
    fn of<T>(request: &tonic::Request<T>) -> Result<Self, tonic::Status> {
        request
            .extensions()
            .get::<Operator>()
            .cloned()
            .ok_or_else(|| {
                tonic::Status::unauthenticated("send Authorization: Bearer <operator token>")
            })
    }
}

impl Caller for Principal {
    fn of<T>(request: &tonic::Request<T>) -> Result<Self, tonic::Status> {
        Principal::of(request).cloned()
    }
}

impl Caller for Anyone {
    fn of<T>(request: &tonic::Request<T>) -> Result<Self, tonic::Status> {
        Ok(Anyone {
            client: request.extensions().get::<ClientAddress>().copied(),
        })
    }
}

/// Implements a generated service trait for `$api`, whose every RPC takes its `$caller` and
/// calls the async method of the same name on `$logic`; errors convert once, via `ApiError`.
macro_rules! delegate {
    ($trait:path => $api:ident($logic:ty) for $caller:ty { $($method:ident($request:ty) -> $response:ty;)* }) => {
        pub struct $api(pub $logic);

        #[tonic::async_trait]
        impl $trait for $api {
            $(
                async fn $method(
                    &self,
                    request: tonic::Request<$request>,
                ) -> Result<tonic::Response<$response>, tonic::Status> {
                    let caller = <$caller as $crate::caller::Caller>::of(&request)?;
                    Ok(tonic::Response::new(self.0.$method(&caller, request.into_inner()).await?))
                }
            )*
        }
    };
}

pub(crate) use delegate;
