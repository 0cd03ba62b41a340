//! Connect errors: always JSON `{code, message, details}` with the HTTP status of the code; the
//! details of a gRPC status (`grpc-status-details-bin`) become Connect details, with a readable
//! `debug` rendering of field violations.

use crate::rpc::codes::{connect_name, http_status};
use axum::body::Body;
use base64::Engine;
use http::{Response, StatusCode, header};
use prost::Message;
use serde_json::json;
use tonic::Code;
use tonic_types::StatusExt;

/// A Connect error, always sent as JSON.
pub(super) struct ConnectError {
    pub(super) code: Code,
    pub(super) message: String,
    pub(super) details: Vec<serde_json::Value>,
    pub(super) http_override: Option<StatusCode>,
}

impl ConnectError {
    pub(super) fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
            http_override: None,
        }
    }

    pub(super) fn invalid_field(field: &str, description: impl Into<String>) -> Self {
        let description = description.into();
        let status = tonic::Status::with_error_details(
            Code::InvalidArgument,
            if field.is_empty() {
                description.clone()
            } else {
                format!("{field}: {description}")
            },
            tonic_types::ErrorDetails::with_bad_request_violation(field, description),
        );
        Self::from_status(&status)
    }

    pub(super) fn from_status(status: &tonic::Status) -> Self {
        Self {
            code: status.code(),
            message: status.message().to_owned(),
            details: connect_details(status),
            http_override: None,
        }
    }

    pub(super) fn into_response(self) -> Response<Body> {
        let mut body = json!({ "code": connect_name(self.code), "message": self.message });
        if !self.details.is_empty() {
            body["details"] = serde_json::Value::Array(self.details);
        }
        Response::builder()
            .status(self.http_override.unwrap_or_else(|| http_status(self.code)))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("valid response")
    }
}

/// A Connect error answer with no details (for layers in front of the adapter).
pub fn connect_error(code: Code, message: String) -> Response<Body> {
    ConnectError::new(code, message).into_response()
}

/// `google.rpc.Status`, to read the details of a gRPC error.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// Connect error details: `{type, value (base64), debug}` per detail of the gRPC status.
fn connect_details(status: &tonic::Status) -> Vec<serde_json::Value> {
    let Ok(rpc) = RpcStatus::decode(status.details()) else {
        return Vec::new();
    };
    let bad_request = status.get_error_details().bad_request().cloned();
    rpc.details
        .into_iter()
        .map(|any| {
            let type_name = any
                .type_url
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let mut detail = json!({
                "type": type_name,
                "value": base64::engine::general_purpose::STANDARD_NO_PAD.encode(&any.value),
            });
            if type_name == "google.rpc.BadRequest"
                && let Some(bad) = &bad_request
            {
                let violations: Vec<_> = bad
                    .field_violations
                    .iter()
                    .map(|v| json!({ "field": v.field, "description": v.description }))
                    .collect();
                detail["debug"] = json!({ "fieldViolations": violations });
            }
            detail
        })
        .collect()
}
