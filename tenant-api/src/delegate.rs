//! The tonic adapter, written once: `delegate!` implements a generated service trait for a
//! wrapper whose every RPC takes the principal the middleware attached and calls the plain async
//! method of the same name on the service logic. Errors convert once, through `ApiError`.

macro_rules! delegate {
    ($trait:path => $api:ident($logic:ty) { $($method:ident($request:ty) -> $response:ty;)* }) => {
        pub struct $api($logic);

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
                    let principal = eventkit_platform::auth::Principal::of(&request)?.clone();
                    Ok(tonic::Response::new(self.0.$method(&principal, request.into_inner()).await?))
                }
            )*
        }
    };
}

pub(crate) use delegate;
