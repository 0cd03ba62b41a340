//! Connect unary over HTTP GET, for the RPCs the proto marks `NO_SIDE_EFFECTS`
//! (connectrpc.com/docs/protocol, "Unary-Get Request"): the message travels in the query
//! (`?encoding=json&message=…`, or `base64=1` with a base64url message, as Connect-ES's
//! `useHttpGet` sends it), so a browser can cache a read and `curl` can fetch one. Answers are
//! `Cache-Control: private, no-cache` with an `ETag`, so a repeated read whose answer did not
//! change is a `304` without a body; an answer holding a secret is `no-store`.

use super::{ConnectError, Intake, codec::Codec, codec::decode_request, grpc_timeout};
use crate::rpc::rules::Rule;
use axum::body::Body;
use base64::{
    Engine,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig, general_purpose::URL_SAFE},
};
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::BodyExt;
use prost_reflect::MethodDescriptor;
use sha2::{Digest, Sha256};

/// base64url with or without padding, as the protocol allows.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The request a GET carries in its query.
pub(super) fn read(
    parts: &http::request::Parts,
    method: &MethodDescriptor,
) -> Result<Intake, ConnectError> {
    let query = parts.uri.query().unwrap_or_default();
    let (mut message, mut encoding, mut base64, mut compression, mut connect) =
        (None, None, false, None, None);
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "message" => message = Some(value.into_owned()),
            "encoding" => encoding = Some(value.into_owned()),
            "base64" => base64 = value == "1",
            "compression" => compression = Some(value.into_owned()),
            "connect" => connect = Some(value.into_owned()),
            _ => {}
        }
    }
    if connect.as_deref().is_some_and(|v| v != "v1") {
        return Err(ConnectError::invalid_field("connect", "must be v1"));
    }
    if compression.as_deref().is_some_and(|v| v != "identity") {
        return Err(ConnectError::new(
            tonic::Code::Unimplemented,
            "request compression is not supported; send identity",
        ));
    }
    let codec = match encoding.as_deref() {
        Some("json") => Codec::Json,
        Some("proto") => Codec::Proto,
        _ => {
            return Err(ConnectError::invalid_field(
                "encoding",
                "name the message's encoding: json or proto",
            ));
        }
    };
    let message = message
        .ok_or_else(|| ConnectError::invalid_field("message", "the request message is missing"))?;
    let bytes = if base64 {
        BASE64URL
            .decode(message.as_bytes())
            .map_err(|e| ConnectError::invalid_field("message", format!("is not base64url: {e}")))?
    } else {
        message.into_bytes()
    };
    Ok(Intake {
        codec,
        payload: decode_request(codec, &method.input(), &bytes)?,
        grpc_timeout: grpc_timeout(&parts.headers)?,
    })
}

/// Adds the caching headers to a GET's successful answer, or answers `304 Not Modified` when
/// the client already holds this answer (`If-None-Match`).
pub(super) async fn cacheable(
    response: Response<Body>,
    rule: &Rule,
    if_none_match: Option<&HeaderValue>,
) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let headers = &mut parts.headers;
    // The answer depends on who asks.
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    if rule.answer_holds_secret {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Response::from_parts(parts, body);
    }
    let Ok(collected) = body.collect().await else {
        return Response::from_parts(parts, Body::empty());
    };
    let bytes = collected.to_bytes();
    let etag = etag_of(&bytes);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    headers.insert(header::ETAG, etag.clone());
    if if_none_match.is_some_and(|held| matches_etag(held, &etag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A strong entity tag: the first 128 bits of the answer's SHA-256, base64url.
fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let tag = format!(
        "\"{}\"",
        URL_SAFE.encode(&digest[..16]).trim_end_matches('=')
    );
    HeaderValue::from_str(&tag).expect("base64url is a valid header value")
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn matches_etag(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(held) = if_none_match.to_str() else {
        return false;
    };
    let etag = etag.to_str().unwrap_or_default();
    held.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tags_match_by_value_list_and_star() {
        let tag = etag_of(b"{\"a\":1}");
        assert_eq!(tag, etag_of(b"{\"a\":1}"));
        assert_ne!(tag, etag_of(b"{\"a\":2}"));
        let list = HeaderValue::from_str(&format!("\"x\", W/{}", tag.to_str().unwrap())).unwrap();
        assert!(matches_etag(&list, &tag));
        assert!(matches_etag(&HeaderValue::from_static("*"), &tag));
        assert!(!matches_etag(&HeaderValue::from_static("\"x\""), &tag));
    }

    #[test]
    fn base64url_decodes_with_or_without_padding() {
        assert_eq!(BASE64URL.decode("e30").unwrap(), b"{}");
        assert_eq!(BASE64URL.decode("e30=").unwrap(), b"{}");
    }
}
