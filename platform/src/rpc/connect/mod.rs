//! Connect unary (connectrpc.com/docs/protocol) on top of the gRPC router, so each RPC has one
//! implementation. A Connect request is decoded with the method's descriptor (JSON via
//! `prost-reflect`, binary checked by decoding), framed as a gRPC request with the same headers,
//! and sent to the gRPC router in process; the gRPC answer (message or status with details) is
//! turned back into a Connect response or error JSON.
//!
//! `codec` holds the wire formats (`wire_json` the fast path for JSON answers), `error` the Connect
//! error answer.

mod codec;
mod error;
mod get;
mod wire_json;

use codec::{Codec, decode_request, encode_response, frame, unframe};
use error::ConnectError;
pub use error::connect_error;

use crate::rpc::rules::RpcRules;
use axum::body::Body;
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use prost_reflect::MethodDescriptor;
use std::sync::Arc;
use tonic::Code;
use tower::ServiceExt;

/// Serves Connect unary calls for every RPC of the port's rules by calling `grpc`.
#[derive(Clone)]
pub struct ConnectAdapter {
    grpc: axum::Router,
    rules: Arc<RpcRules>,
    max_request_bytes: usize,
}

/// A Connect request, read from a POST body or a GET query.
struct Intake {
    codec: Codec,
    /// The request message, binary-encoded for the in-process gRPC call.
    payload: bytes::Bytes,
    grpc_timeout: Option<String>,
}

impl ConnectAdapter {
    pub fn new(grpc: axum::Router, rules: Arc<RpcRules>, max_request_bytes: usize) -> Self {
        Self {
            grpc,
            rules,
            max_request_bytes,
        }
    }

    pub async fn handle(&self, request: Request<Body>) -> Response<Body> {
        self.call(request)
            .await
            .unwrap_or_else(ConnectError::into_response)
    }

    async fn call(&self, request: Request<Body>) -> Result<Response<Body>, ConnectError> {
        let (rule, method) = self
            .rules
            .method(request.uri().path())
            .cloned()
            .ok_or_else(|| ConnectError {
                http_override: Some(StatusCode::NOT_FOUND),
                ..ConnectError::new(
                    Code::Unimplemented,
                    format!("no procedure {}", request.uri().path()),
                )
            })?;
        let (parts, body) = request.into_parts();
        let by_get = parts.method == Method::GET;
        let intake = match parts.method {
            Method::POST => self.read_post(&parts, body, &method).await?,
            Method::GET if rule.read => get::read(&parts, &method)?,
            Method::GET => {
                return Err(ConnectError {
                    http_override: Some(StatusCode::METHOD_NOT_ALLOWED),
                    ..ConnectError::new(
                        Code::Unimplemented,
                        format!(
                            "{} changes data: call it with POST (only reads take GET)",
                            method.name()
                        ),
                    )
                });
            }
            _ => {
                return Err(ConnectError {
                    http_override: Some(StatusCode::METHOD_NOT_ALLOWED),
                    ..ConnectError::new(
                        Code::Unimplemented,
                        "Connect unary calls use POST (reads also GET)",
                    )
                });
            }
        };
        let if_none_match = parts.headers.get(header::IF_NONE_MATCH).cloned();
        let mut response = self.forward(parts, intake, &method).await?;
        if by_get && response.status() == StatusCode::OK {
            response = get::cacheable(response, &rule, if_none_match.as_ref()).await;
        }
        Ok(response)
    }

    /// The body of a POST: its codec from `Content-Type`, its deadline, the message checked.
    async fn read_post(
        &self,
        parts: &http::request::Parts,
        body: Body,
        method: &MethodDescriptor,
    ) -> Result<Intake, ConnectError> {
        let headers = &parts.headers;
        let codec = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Codec::from_content_type)
            .ok_or_else(|| ConnectError {
                http_override: Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
                ..ConnectError::new(
                    Code::Unimplemented,
                    "Content-Type must be application/json or application/proto",
                )
            })?;
        if let Some(version) = headers.get("connect-protocol-version")
            && version != "1"
        {
            return Err(ConnectError::invalid_field(
                "Connect-Protocol-Version",
                "must be 1",
            ));
        }
        if headers
            .get(header::CONTENT_ENCODING)
            .is_some_and(|v| v != "identity")
        {
            return Err(ConnectError::new(
                Code::Unimplemented,
                "request compression is not supported; send identity",
            ));
        }
        let grpc_timeout = grpc_timeout(headers)?;
        let body = Limited::new(body, self.max_request_bytes)
            .collect()
            .await
            .map_err(|err| {
                if err
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    ConnectError::new(
                        Code::ResourceExhausted,
                        format!(
                            "request body exceeds the limit of {} bytes",
                            self.max_request_bytes
                        ),
                    )
                } else {
                    ConnectError::new(Code::Cancelled, "the request body could not be read")
                }
            })?;
        let payload = decode_request(codec, &method.input(), &body.to_bytes())?;
        Ok(Intake {
            codec,
            payload,
            grpc_timeout,
        })
    }

    /// Calls the gRPC router in process with `intake` and turns its answer into Connect's.
    async fn forward(
        &self,
        parts: http::request::Parts,
        intake: Intake,
        method: &MethodDescriptor,
    ) -> Result<Response<Body>, ConnectError> {
        let Intake {
            codec,
            payload,
            grpc_timeout,
        } = intake;
        let mut grpc_request = Request::builder()
            .method(Method::POST)
            .uri(parts.uri.path())
            .version(http::Version::HTTP_2);
        if let Some(client) = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        {
            grpc_request = grpc_request.extension(*client);
        }
        let forwarded = grpc_request.headers_mut().expect("builder has headers");
        for (name, value) in &parts.headers {
            if forward_request_header(name) {
                forwarded.append(name, value.clone());
            }
        }
        forwarded.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/grpc"),
        );
        forwarded.insert(header::TE, HeaderValue::from_static("trailers"));
        if let Some(timeout) = grpc_timeout {
            forwarded.insert(
                "grpc-timeout",
                HeaderValue::from_str(&timeout).expect("ascii"),
            );
        }
        let mut grpc_request = grpc_request
            .body(Body::from(frame(&payload)))
            .expect("valid request");
        *grpc_request.extensions_mut() = parts.extensions;

        let response = self
            .grpc
            .clone()
            .oneshot(grpc_request)
            .await
            .unwrap_or_else(|never| match never {});
        let (parts, body) = response.into_parts();
        let collected = body.collect().await.map_err(|e| {
            ConnectError::new(
                Code::Internal,
                format!("reading the service's answer failed: {e}"),
            )
        })?;
        let trailers = collected.trailers().cloned().unwrap_or_default();
        let data = collected.to_bytes();

        let status = tonic::Status::from_header_map(&parts.headers)
            .or_else(|| tonic::Status::from_header_map(&trailers))
            .unwrap_or_else(|| {
                tonic::Status::internal("the service answered without a gRPC status")
            });
        if status.code() != Code::Ok {
            let mut response = ConnectError::from_status(&status).into_response();
            copy_metadata(&parts.headers, &trailers, response.headers_mut());
            return Ok(response);
        }
        let message = unframe(&data)?;
        let body = encode_response(codec, &method.output(), message)?;

        let mut response = Response::builder().status(StatusCode::OK);
        let out = response.headers_mut().expect("builder has headers");
        copy_metadata(&parts.headers, &trailers, out);
        out.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(codec.content_type()),
        );
        Ok(response.body(Body::from(body)).expect("valid response"))
    }
}

/// The `Connect-Timeout-Ms` header as a `grpc-timeout` value.
fn grpc_timeout(headers: &http::HeaderMap) -> Result<Option<String>, ConnectError> {
    let Some(value) = headers.get("connect-timeout-ms") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|s| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u64>().ok())
        .map(|ms| Some(grpc_timeout_value(ms)))
        .ok_or_else(|| {
            ConnectError::invalid_field(
                "Connect-Timeout-Ms",
                "must be a positive integer of at most 10 digits",
            )
        })
}

fn grpc_timeout_value(ms: u64) -> String {
    if ms <= 99_999_999 {
        format!("{ms}m")
    } else {
        format!("{}S", (ms / 1000).min(99_999_999))
    }
}

fn forward_request_header(name: &HeaderName) -> bool {
    let n = name.as_str();
    !(n.starts_with("connect-")
        || n.starts_with("grpc-")
        || matches!(
            n,
            "content-type"
                | "content-length"
                | "content-encoding"
                | "accept-encoding"
                | "te"
                | "host"
                | "connection"
        ))
}

/// Response metadata for the Connect caller: the service's headers, and its trailers as
/// `trailer-` headers (Connect unary has no trailers), minus gRPC's own.
fn copy_metadata(headers: &http::HeaderMap, trailers: &http::HeaderMap, out: &mut http::HeaderMap) {
    for (name, value) in headers {
        if forward_response_header(name) {
            out.append(name, value.clone());
        }
    }
    for (name, value) in trailers {
        if forward_response_header(name)
            && let Ok(prefixed) = HeaderName::try_from(format!("trailer-{name}"))
        {
            out.append(prefixed, value.clone());
        }
    }
}

fn forward_response_header(name: &HeaderName) -> bool {
    let n = name.as_str();
    !(n.starts_with("grpc-")
        || matches!(
            n,
            "content-type" | "content-length" | "te" | "trailer" | "transfer-encoding"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_become_grpc_timeouts() {
        assert_eq!(grpc_timeout_value(250), "250m");
        assert_eq!(grpc_timeout_value(9_999_999_999), "9999999S");
    }
}
