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
mod wire_json;

use codec::{Codec, decode_request, encode_response, frame, unframe};
use error::ConnectError;
pub use error::connect_error;

use axum::body::Body;
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use prost_reflect::{DescriptorPool, MethodDescriptor};
use std::{collections::HashMap, sync::Arc};
use tonic::Code;
use tower::ServiceExt;

/// Serves Connect unary calls for every method of the given services by calling `grpc`.
#[derive(Clone)]
pub struct ConnectAdapter {
    grpc: axum::Router,
    methods: Arc<HashMap<String, MethodDescriptor>>,
    max_request_bytes: usize,
}

impl ConnectAdapter {
    pub fn new(
        grpc: axum::Router,
        pool: &DescriptorPool,
        services: &[&str],
        max_request_bytes: usize,
    ) -> Self {
        let methods = services
            .iter()
            .filter_map(|name| pool.get_service_by_name(name))
            .flat_map(|service| service.methods().collect::<Vec<_>>())
            .map(|m| {
                (
                    format!("/{}/{}", m.parent_service().full_name(), m.name()),
                    m,
                )
            })
            .collect();
        Self {
            grpc,
            methods: Arc::new(methods),
            max_request_bytes,
        }
    }

    pub async fn handle(&self, request: Request<Body>) -> Response<Body> {
        self.call(request)
            .await
            .unwrap_or_else(ConnectError::into_response)
    }

    async fn call(&self, request: Request<Body>) -> Result<Response<Body>, ConnectError> {
        let method = self
            .methods
            .get(request.uri().path())
            .cloned()
            .ok_or_else(|| ConnectError {
                http_override: Some(StatusCode::NOT_FOUND),
                ..ConnectError::new(
                    Code::Unimplemented,
                    format!("no procedure {}", request.uri().path()),
                )
            })?;
        if request.method() != Method::POST {
            return Err(ConnectError {
                http_override: Some(StatusCode::METHOD_NOT_ALLOWED),
                ..ConnectError::new(Code::Unimplemented, "Connect unary calls use POST")
            });
        }
        let headers = request.headers();
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
        let grpc_timeout = match headers.get("connect-timeout-ms") {
            None => None,
            Some(v) => Some(
                v.to_str()
                    .ok()
                    .filter(|s| {
                        !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit())
                    })
                    .and_then(|s| s.parse::<u64>().ok())
                    .map(grpc_timeout_value)
                    .ok_or_else(|| {
                        ConnectError::invalid_field(
                            "Connect-Timeout-Ms",
                            "must be a positive integer of at most 10 digits",
                        )
                    })?,
            ),
        };

        let (parts, body) = request.into_parts();
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
        let body = body.to_bytes();
        let payload = decode_request(codec, &method.input(), &body)?;

        let mut grpc_request = Request::builder()
            .method(Method::POST)
            .uri(parts.uri)
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
