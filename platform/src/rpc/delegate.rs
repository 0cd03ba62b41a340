//! The tonic adapter, written once for every deployable: [`delegate!`](crate::delegate)
//! implements a generated service trait for a wrapper whose every RPC takes the caller the gate
//! ([`super::gate`]) established — a [`Principal`], an [`Operator`] or [`Anyone`] — and calls the
//! plain async method of the same name on the service logic, which never touches tonic. Errors
//! convert once, through `ApiError`.

use crate::{
    auth::{Operator, Principal},
    rpc::client_address::ClientAddress,
};

/// A caller of a public RPC: its address, what throttles count it by.
#[derive(Debug, Clone, Copy)]
pub struct Anyone {
    pub client: Option<ClientAddress>,
}

/// A caller an RPC's logic takes, as the gate attached it to the request.
pub trait Caller: Sized {
    fn of<T>(request: &tonic::Request<T>) -> Result<Self, tonic::Status>;
}

impl Caller for Principal {
    fn of<T>(request: &tonic::Request<T>) -> Result<Self, tonic::Status> {
        Principal::of(request).cloned()
    }
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

impl Caller for Anyone {
    fn of<T>(request: &tonic::Request<T>) -> Result<Self, tonic::Status> {
        Ok(Anyone {
            client: request.extensions().get::<ClientAddress>().copied(),
        })
    }
}

/// Implements the generated service trait `$trait` for a new wrapper `$api` around `$logic`:
/// each listed RPC takes its `$caller` ([`Caller`]) from the request and calls the async method
/// of the same name on `$logic` with it and the plain request.
#[macro_export]
macro_rules! delegate {
    ($trait:path => $api:ident($logic:ty) for $caller:ty { $($method:ident($request:ty) -> $response:ty;)* }) => {
        pub struct $api(pub $logic);

        impl $api {
            pub fn new(logic: $logic) -> Self {
                Self(logic)
            }
        }

        #[tonic::async_trait]
        impl $trait for $api {
            $(
                async fn $method(
                    &self,
                    request: tonic::Request<$request>,
                ) -> Result<tonic::Response<$response>, tonic::Status> {
                    let caller = <$caller as $crate::rpc::delegate::Caller>::of(&request)?;
                    Ok(tonic::Response::new(self.0.$method(&caller, request.into_inner()).await?))
                }
            )*
        }
    };
}
