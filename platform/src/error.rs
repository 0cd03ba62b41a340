//! The one error type of request handling, mapped once to gRPC/Connect codes. Database errors
//! are classified by SQLSTATE and constraint name (see [`crate::db::constraints`]), never by
//! message text; `Internal` errors are logged with the request's span and never echoed.

use eventkit_domain::FieldViolation;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid argument: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidArgument(Vec<FieldViolation>),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    AlreadyExists { field: String, message: String },
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    ResourceExhausted(String),
    /// A throttle refused: `resource_exhausted` with a `google.rpc.RetryInfo` detail and a
    /// `Retry-After` header.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry: crate::rate_limit::RetryAfter,
    },
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Aborted(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![FieldViolation::new(field, description)])
    }

    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} {id} not found"))
    }
}

impl From<Vec<FieldViolation>> for ApiError {
    fn from(violations: Vec<FieldViolation>) -> Self {
        Self::InvalidArgument(violations)
    }
}

impl From<FieldViolation> for ApiError {
    fn from(violation: FieldViolation) -> Self {
        Self::InvalidArgument(vec![violation])
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        crate::db::constraints::classify(err)
    }
}

impl ApiError {
    /// The error as an HTTP answer in gRPC form (the status in the headers), for the gates that
    /// refuse a call before it reaches a service; the Connect adapter turns it into a Connect
    /// error like any other gRPC answer.
    pub fn into_http_response(self) -> http::Response<axum::body::Body> {
        Status::from(self).into_http()
    }
}

impl From<ApiError> for Status {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::InvalidArgument(violations) => {
                let mut details = ErrorDetails::new();
                for v in &violations {
                    details.add_bad_request_violation(v.field.clone(), v.description.clone());
                }
                let message = violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                Status::with_error_details(Code::InvalidArgument, message, details)
            }
            ApiError::AlreadyExists { field, message } => {
                let mut details = ErrorDetails::new();
                details.add_bad_request_violation(field, message.clone());
                Status::with_error_details(Code::AlreadyExists, message, details)
            }
            ApiError::NotFound(m) => Status::not_found(m),
            ApiError::FailedPrecondition(m) => Status::failed_precondition(m),
            ApiError::Unauthenticated(m) => Status::unauthenticated(m),
            ApiError::PermissionDenied(m) => Status::permission_denied(m),
            ApiError::ResourceExhausted(m) => Status::resource_exhausted(m),
            ApiError::RateLimited { message, retry } => {
                let mut metadata = tonic::metadata::MetadataMap::new();
                metadata.insert("retry-after", retry.header_seconds().into());
                Status::with_error_details_and_metadata(
                    Code::ResourceExhausted,
                    message,
                    ErrorDetails::with_retry_info(Some(retry.0)),
                    metadata,
                )
            }
            ApiError::Unavailable(m) => Status::unavailable(m),
            ApiError::Aborted(m) => Status::aborted(m),
            ApiError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
                Status::internal("internal error; the request id identifies it in the logs")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_carries_field_violations() {
        let status: Status = ApiError::invalid("product.name", "is required").into();
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request detail");
        assert_eq!(bad.field_violations[0].field, "product.name");
    }

    #[test]
    fn rate_limited_carries_retry_info_and_header() {
        let retry = crate::rate_limit::RetryAfter(std::time::Duration::from_millis(2500));
        let status: Status = ApiError::RateLimited {
            message: "slow down".into(),
            retry,
        }
        .into();
        assert_eq!(status.code(), Code::ResourceExhausted);
        let info = status.get_error_details().retry_info().cloned();
        assert_eq!(info.and_then(|i| i.retry_delay), Some(retry.0));
        assert_eq!(status.metadata().get("retry-after").unwrap(), "3");
    }

    #[test]
    fn internal_errors_are_not_echoed() {
        let status: Status = ApiError::Internal(anyhow::anyhow!("password=hunter2")).into();
        assert!(!status.message().contains("hunter2"));
    }
}
