//! `Idempotency-Key` for mutations (DESIGN.md, API rules): the first answer to a key is stored
//! for 24 hours per principal (API key or person) and replayed to retries, so a client that lost
//! an answer can retry without creating twice. Keys are the principal's own: another key or
//! person of the tenant that happens to send the same key runs its request, and never gets an
//! answer that was made for someone else (security review L8). It sits on the gRPC router after authentication, so Connect, gRPC and
//! gRPC-Web share it. A key reused with a different request is refused; a retry while the first
//! request still runs gets `aborted`; answers that invite a retry (unavailable, aborted, internal,
//! deadline) are not stored.

use crate::{ApiError, auth::Principal, db::Db};
use axum::{body::Body, extract::Request, middleware::Next, response::Response};
use base64::{Engine, engine::general_purpose::STANDARD};
use http::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::{BodyExt, Limited};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tonic::Code;

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 255;

/// What the middleware needs: the database and the body limit. Which RPCs it applies to is
/// each RPC's rule ([`super::rules::Rule::keeps_idempotent_answers`]); the gate asks.
pub struct Idempotency {
    pub db: Db,
    pub max_request_bytes: usize,
}

#[derive(Serialize, Deserialize)]
struct StoredResponse {
    headers: Vec<(String, String)>,
    body: String,
    trailers: Vec<(String, String)>,
}

fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let key = value.to_str().ok().filter(|k| {
        !k.is_empty() && k.len() <= MAX_KEY_LEN && k.bytes().all(|b| b.is_ascii_graphic())
    });
    key.map(str::to_owned).ok_or_else(|| {
        ApiError::invalid(
            "Idempotency-Key",
            format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
        )
    })
}

/// Runs the request through `next`, or replays the stored answer to its `Idempotency-Key`.
/// Requests without the header or without a principal pass. The gate calls it only for RPCs
/// whose answers may be kept.
pub async fn run(state: &Idempotency, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let Some(raw_key) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return next.run(request).await;
    };
    match handle(state, &principal, &path, &raw_key, request, next).await {
        Ok(response) => response,
        Err(err) => err.into_http_response(),
    }
}

async fn handle(
    state: &Idempotency,
    principal: &Principal,
    path: &str,
    raw_key: &HeaderValue,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // The principal's own key space: its subject, then the key (visible ASCII, so no space).
    let key = format!("{} {}", principal.subject, parse_key(raw_key)?);
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, state.max_request_bytes)
        .collect()
        .await
        .map_err(|_| {
            ApiError::ResourceExhausted(format!(
                "request body exceeds {} bytes",
                state.max_request_bytes
            ))
        })?
        .to_bytes();
    let hash: Vec<u8> = Sha256::new()
        .chain_update(path.as_bytes())
        .chain_update(&body)
        .finalize()
        .to_vec();

    let mut tx = state
        .db
        .tenant_tx(principal.tenant_id, &principal.actor())
        .await?;
    sqlx::query("delete from idempotency_keys where tenant_id = $1 and key = $2 and created_at < now() - interval '24 hours'")
        .bind(principal.tenant_id)
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    let claimed = sqlx::query(
        "insert into idempotency_keys (tenant_id, key, rpc, request_hash) values ($1, $2, $3, $4) on conflict do nothing",
    )
    .bind(principal.tenant_id)
    .bind(&key)
    .bind(path)
    .bind(&hash)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        let (stored_hash, stored): (Vec<u8>, Option<serde_json::Value>) = sqlx::query_as(
            "select request_hash, response from idempotency_keys where tenant_id = $1 and key = $2",
        )
        .bind(principal.tenant_id)
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        if stored_hash != hash {
            return Err(ApiError::invalid(
                "Idempotency-Key",
                "was already used with a different request",
            ));
        }
        let stored = stored.ok_or_else(|| {
            ApiError::Aborted("a request with this Idempotency-Key is still in progress".into())
        })?;
        let stored: StoredResponse =
            serde_json::from_value(stored).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(replay(stored));
    }
    tx.commit().await?;

    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (mut head, body) = response.into_parts();
    let collected = body
        .collect()
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("reading the answer: {e}")))?;
    let trailers = collected.trailers().cloned().unwrap_or_default();
    let bytes = collected.to_bytes();
    let code = tonic::Status::from_header_map(&head.headers)
        .or_else(|| tonic::Status::from_header_map(&trailers))
        .map_or(Code::Unknown, |s| s.code());

    let mut tx = state
        .db
        .tenant_tx(principal.tenant_id, &principal.actor())
        .await?;
    if matches!(
        code,
        Code::Unavailable
            | Code::Aborted
            | Code::Internal
            | Code::DeadlineExceeded
            | Code::Unknown
            | Code::Cancelled
    ) {
        sqlx::query("delete from idempotency_keys where tenant_id = $1 and key = $2")
            .bind(principal.tenant_id)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
    } else {
        let stored = StoredResponse {
            headers: pairs(&head.headers),
            body: STANDARD.encode(&bytes),
            trailers: pairs(&trailers),
        };
        sqlx::query("update idempotency_keys set response = $3, completed_at = now() where tenant_id = $1 and key = $2")
            .bind(principal.tenant_id)
            .bind(&key)
            .bind(serde_json::to_value(stored).map_err(|e| ApiError::Internal(e.into()))?)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    head.headers.remove(http::header::CONTENT_LENGTH);
    Ok(Response::from_parts(
        head,
        Body::new(with_trailers(bytes, trailers)),
    ))
}

fn pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| *name != http::header::CONTENT_LENGTH)
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect()
}

fn header_map(pairs: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    map
}

fn replay(stored: StoredResponse) -> Response {
    let body = STANDARD.decode(stored.body).unwrap_or_default();
    let mut response = Response::new(Body::new(with_trailers(
        body.into(),
        header_map(&stored.trailers),
    )));
    *response.headers_mut() = header_map(&stored.headers);
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// A body of `data` followed by `trailers` (how gRPC carries its status).
fn with_trailers(
    data: bytes::Bytes,
    trailers: HeaderMap,
) -> impl http_body::Body<Data = bytes::Bytes, Error = std::convert::Infallible> {
    use http_body::Frame;
    let frames = [Ok(Frame::data(data)), Ok(Frame::trailers(trailers))];
    http_body_util::StreamBody::new(futures::stream::iter(frames))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_visible_ascii() {
        assert!(parse_key(&HeaderValue::from_static("order-42")).is_ok());
        assert!(parse_key(&HeaderValue::from_static("")).is_err());
        assert!(parse_key(&HeaderValue::from_static("has space")).is_err());
        assert!(parse_key(&HeaderValue::from_str(&"k".repeat(256)).unwrap()).is_err());
    }
}
