//! ekctl's connection to the control plane: one gRPC channel (HTTP/2) to `EKCTL_URL` with the
//! operator token on every call, and the exit codes a failed call maps to, so scripts can tell
//! "no such tenant" from "not allowed now" from "cannot reach the server".

use eventkit_proto::controlplane::v1::{
    operator_audit_service_client::OperatorAuditServiceClient,
    operator_job_service_client::OperatorJobServiceClient,
    operator_plan_service_client::OperatorPlanServiceClient,
    operator_quota_service_client::OperatorQuotaServiceClient,
    operator_tenant_service_client::OperatorTenantServiceClient,
    operator_usage_service_client::OperatorUsageServiceClient,
};
use std::time::Duration;
use tonic::{
    Code, Request, Status,
    metadata::MetadataValue,
    service::{Interceptor, interceptor::InterceptedService},
    transport::{Channel, Endpoint},
};

/// Exit codes (documented in `ekctl --help` and the README).
pub mod exit {
    pub const OK: i32 = 0;
    /// Anything unexpected (an internal error of the server, a bad answer).
    pub const FAILED: i32 = 1;
    /// The command line is wrong (unknown command or option, missing argument).
    pub const USAGE: i32 = 2;
    /// The tenant, plan or other named thing does not exist.
    pub const NOT_FOUND: i32 = 3;
    /// The server refused the input (invalid_argument): nothing was changed.
    pub const INVALID: i32 = 4;
    /// Not allowed in the current state (failed_precondition, already_exists, resource_exhausted).
    pub const REFUSED: i32 = 5;
    /// No or a bad operator token (EKCTL_TOKEN), or not permitted.
    pub const AUTH: i32 = 6;
    /// The control plane could not be reached or did not answer in time.
    pub const UNAVAILABLE: i32 = 7;
}

/// The exit code for a failed call.
pub fn exit_code(status: &Status) -> i32 {
    match status.code() {
        Code::NotFound => exit::NOT_FOUND,
        Code::InvalidArgument | Code::OutOfRange => exit::INVALID,
        Code::FailedPrecondition
        | Code::AlreadyExists
        | Code::ResourceExhausted
        | Code::Aborted => exit::REFUSED,
        Code::Unauthenticated | Code::PermissionDenied => exit::AUTH,
        Code::Unavailable | Code::DeadlineExceeded => exit::UNAVAILABLE,
        _ => exit::FAILED,
    }
}

#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<tonic::metadata::Ascii>>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        match &self.0 {
            Some(value) => {
                request
                    .metadata_mut()
                    .insert("authorization", value.clone());
                Ok(request)
            }
            None => Err(Status::unauthenticated(
                "no operator token: set EKCTL_TOKEN (make one with `eventkit operator-token create --name NAME`)",
            )),
        }
    }
}

type Svc = InterceptedService<Channel, Bearer>;

/// Clients of every operator service, sharing one channel.
pub struct Clients {
    pub tenants: OperatorTenantServiceClient<Svc>,
    pub plans: OperatorPlanServiceClient<Svc>,
    pub quotas: OperatorQuotaServiceClient<Svc>,
    pub usage: OperatorUsageServiceClient<Svc>,
    pub audit: OperatorAuditServiceClient<Svc>,
    pub jobs: OperatorJobServiceClient<Svc>,
}

impl Clients {
    /// Connects to `url`; the token may be missing (calls then fail with exit code 6).
    pub async fn connect(url: &str, token: Option<&str>) -> Result<Self, Status> {
        let endpoint = Endpoint::from_shared(url.to_owned())
            .map_err(|e| Status::invalid_argument(format!("EKCTL_URL {url:?} is not a URL: {e}")))?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(120));
        let channel = endpoint.connect().await.map_err(|e| {
            Status::unavailable(format!("cannot reach the control plane at {url}: {e}"))
        })?;
        let bearer = Bearer(
            token
                .map(|t| format!("Bearer {t}").parse())
                .transpose()
                .map_err(|_| {
                    Status::unauthenticated("EKCTL_TOKEN holds characters a header cannot")
                })?,
        );
        let svc = || InterceptedService::new(channel.clone(), bearer.clone());
        Ok(Self {
            tenants: OperatorTenantServiceClient::new(svc()),
            plans: OperatorPlanServiceClient::new(svc()),
            quotas: OperatorQuotaServiceClient::new(svc()),
            usage: OperatorUsageServiceClient::new(svc()),
            audit: OperatorAuditServiceClient::new(svc()),
            jobs: OperatorJobServiceClient::new(svc()),
        })
    }
}
