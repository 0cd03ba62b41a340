//! Connect unary (connectrpc.com/docs/protocol) on top of the gRPC router, so each RPC has one
//! implementation. A Connect request is decoded with the method's descriptor (JSON via
//! `prost-reflect`, binary checked by decoding), framed as a gRPC request with the same headers,
//! and sent to the gRPC router in process; the gRPC answer (message or status with details) is
//! turned back into a Connect response or error JSON.

use super::{
    codes::{connect_name, http_status},
    json_errors,
};
use axum::body::Body;
use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use prost::Message;
use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, MessageDescriptor, MethodDescriptor,
    SerializeOptions,
};
use serde_json::json;
use std::{collections::HashMap, sync::Arc};
use tonic::Code;
use tonic_types::StatusExt;
use tower::ServiceExt;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Codec {
    Json,
    Proto,
}

impl Codec {
    fn from_content_type(value: &str) -> Option<Self> {
        let media = value.split(';').next().unwrap_or_default().trim();
        match media {
            "application/json" => Some(Self::Json),
            "application/proto" => Some(Self::Proto),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Proto => "application/proto",
        }
    }
}

/// A Connect error, always sent as JSON.
struct ConnectError {
    code: Code,
    message: String,
    details: Vec<serde_json::Value>,
    http_override: Option<StatusCode>,
}

impl ConnectError {
    fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
            http_override: None,
        }
    }

    fn invalid_field(field: &str, description: impl Into<String>) -> Self {
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

    fn from_status(status: &tonic::Status) -> Self {
        Self {
            code: status.code(),
            message: status.message().to_owned(),
            details: connect_details(status),
            http_override: None,
        }
    }

    fn into_response(self) -> Response<Body> {
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

fn decode_request(
    codec: Codec,
    input: &MessageDescriptor,
    body: &[u8],
) -> Result<Bytes, ConnectError> {
    match codec {
        Codec::Proto => {
            DynamicMessage::decode(input.clone(), body).map_err(|e| {
                ConnectError::invalid_field(
                    "",
                    format!("the body is not a valid {} message: {e}", input.full_name()),
                )
            })?;
            Ok(Bytes::copy_from_slice(body))
        }
        Codec::Json => {
            let body = if body.iter().all(u8::is_ascii_whitespace) {
                b"{}".as_slice()
            } else {
                body
            };
            let mut json = serde_json::Deserializer::from_slice(body);
            let mut track = serde_path_to_error::Track::new();
            let parsed = DynamicMessage::deserialize_with_options(
                input.clone(),
                serde_path_to_error::Deserializer::new(&mut json, &mut track),
                &DeserializeOptions::new(),
            )
            .and_then(|message| json.end().map(|()| message));
            match parsed {
                Ok(message) => Ok(message.encode_to_vec().into()),
                Err(err) => Err(json_error(input, body, &track.path(), &err.to_string())),
            }
        }
    }
}

/// An `invalid_argument` naming the field of a JSON decoding failure (see `json_errors`).
fn json_error(
    input: &MessageDescriptor,
    body: &[u8],
    path: &serde_path_to_error::Path,
    error: &str,
) -> ConnectError {
    if let Some(unknown) = serde_json::from_slice(body)
        .ok()
        .and_then(|value| json_errors::unknown_field(input, &value, ""))
    {
        return ConnectError::invalid_field(
            &unknown,
            format!("is not a field of {}", input.full_name()),
        );
    }
    let field = json_errors::proto_path(input, path);
    let description = strip_location(error);
    if field.is_empty() {
        ConnectError::invalid_field(
            "",
            format!(
                "the body is not a valid {} JSON message: {description}",
                input.full_name()
            ),
        )
    } else {
        ConnectError::invalid_field(&field, description)
    }
}

/// serde_json appends " at line L column C"; the field path says more.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn encode_response(
    codec: Codec,
    output: &MessageDescriptor,
    message: Bytes,
) -> Result<Bytes, ConnectError> {
    match codec {
        Codec::Proto => Ok(message),
        Codec::Json => {
            let decoded = DynamicMessage::decode(output.clone(), message).map_err(|e| {
                ConnectError::new(
                    Code::Internal,
                    format!("the service's answer did not decode: {e}"),
                )
            })?;
            let mut out = Vec::with_capacity(256);
            let mut serializer = serde_json::Serializer::new(&mut out);
            decoded
                .serialize_with_options(&mut serializer, &SerializeOptions::new())
                .map_err(|e| {
                    ConnectError::new(
                        Code::Internal,
                        format!("encoding the answer as JSON failed: {e}"),
                    )
                })?;
            Ok(out.into())
        }
    }
}

fn grpc_timeout_value(ms: u64) -> String {
    if ms <= 99_999_999 {
        format!("{ms}m")
    } else {
        format!("{}S", (ms / 1000).min(99_999_999))
    }
}

fn frame(message: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(message.len() + 5);
    buf.put_u8(0);
    buf.put_u32(message.len() as u32);
    buf.put_slice(message);
    buf.freeze()
}

fn unframe(data: &Bytes) -> Result<Bytes, ConnectError> {
    let malformed = || {
        ConnectError::new(
            Code::Internal,
            "the service's answer was not one gRPC message",
        )
    };
    if data.len() < 5 || data[0] != 0 {
        return Err(malformed());
    }
    let len = u32::from_be_bytes([data[1], data[2], data[3], data[4]]) as usize;
    if data.len() != 5 + len {
        return Err(malformed());
    }
    Ok(data.slice(5..))
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
    fn frames_round_trip() {
        let framed = frame(b"hello");
        assert_eq!(&framed[..5], &[0, 0, 0, 0, 5]);
        assert_eq!(unframe(&framed).ok().unwrap(), Bytes::from_static(b"hello"));
        assert!(unframe(&Bytes::from_static(&[1, 0, 0, 0, 0])).is_err());
    }

    #[test]
    fn codecs_and_timeouts() {
        assert!(Codec::from_content_type("application/json; charset=utf-8") == Some(Codec::Json));
        assert!(Codec::from_content_type("application/grpc").is_none());
        assert_eq!(grpc_timeout_value(250), "250m");
        assert_eq!(grpc_timeout_value(9_999_999_999), "9999999S");
        assert_eq!(
            strip_location("invalid type at line 1 column 5"),
            "invalid type"
        );
    }
}
