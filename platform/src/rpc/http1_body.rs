//! Reads HTTP/1.1 request bodies in full (up to the size limit) before any handler runs. An
//! early answer — unauthenticated, unsupported media type — would otherwise leave the body
//! unread, and hyper then drops the keep-alive connection without saying so: the client's next
//! request on it fails with a broken pipe. Unary RPCs are all we serve over HTTP/1.1 (gRPC-Web
//! has no client streaming), so buffering costs nothing. A body over the limit is answered with
//! `resource_exhausted` and `Connection: close`. HTTP/2 streams need none of this.

use super::connect::connect_error;
use axum::{body::Body, extract::Request, response::Response};
use http::{HeaderValue, header};
use http_body_util::{BodyExt, Limited};
use tonic::Code;

/// `request` with its body read in full (HTTP/1.x only; HTTP/2 requests come back as they
/// are), or the answer when the body is over the limit or could not be read.
pub async fn read_in_full(max_bytes: usize, request: Request) -> Result<Request, Response> {
    if request.version() >= http::Version::HTTP_2 {
        return Ok(request);
    }
    let grpc = request
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    let (parts, body) = request.into_parts();
    match Limited::new(body, max_bytes).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, Body::from(collected.to_bytes()))),
        Err(err) => {
            let (code, message) = if err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                (
                    Code::ResourceExhausted,
                    format!("request body exceeds the limit of {max_bytes} bytes"),
                )
            } else {
                (
                    Code::Cancelled,
                    "the request body could not be read".to_owned(),
                )
            };
            let mut response = if grpc {
                tonic::Status::new(code, message).into_http::<Body>()
            } else {
                connect_error(code, message)
            };
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Err(response)
        }
    }
}
