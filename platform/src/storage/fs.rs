//! The local-filesystem object store (the self-hosted default): objects are files under one
//! root folder, written to a temporary name and renamed into place so a reader never sees a
//! partial object. Download links are HMAC-signed and expiring ([`super::signed`]), served by
//! [`download_router`] on the control plane's port.

use super::{ObjectStore, StorageError, check_key, signed};
use crate::secret::Secret;
use axum::{
    Router,
    body::Body,
    extract::{Path as UrlPath, RawQuery, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};
use tokio::io::AsyncReadExt;

#[derive(Clone, Debug)]
pub struct FsStore {
    root: PathBuf,
    /// Where the control plane serves downloads, e.g. `http://127.0.0.1:8081`.
    base_url: String,
    signing_key: Secret<String>,
}

impl FsStore {
    pub fn new(root: impl Into<PathBuf>, base_url: String, signing_key: Secret<String>) -> Self {
        Self {
            root: root.into(),
            base_url,
            signing_key,
        }
    }

    /// The file that holds `key`.
    pub fn path_of(&self, key: &str) -> Result<PathBuf, StorageError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

#[tonic::async_trait]
impl ObjectStore for FsStore {
    async fn put_file(&self, key: &str, path: &Path) -> Result<u64, StorageError> {
        let target = self.path_of(key)?;
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let partial = target.with_extension(format!("partial-{}", uuid::Uuid::now_v7().simple()));
        let size = match tokio::fs::copy(path, &partial).await {
            Ok(size) => size,
            Err(err) => {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(err.into());
            }
        };
        tokio::fs::File::open(&partial).await?.sync_all().await?;
        tokio::fs::rename(&partial, &target).await?;
        Ok(size)
    }

    async fn download_url(
        &self,
        key: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StorageError> {
        check_key(key)?;
        Ok(signed::sign(
            &self.base_url,
            &self.signing_key,
            key,
            expires_at.timestamp(),
        ))
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match tokio::fs::remove_file(self.path_of(key)?).await {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
            _ => Ok(()),
        }
    }

    async fn delete_under(&self, prefix: &str) -> Result<u64, StorageError> {
        let folder = self.path_of(prefix)?;
        // Counted first (partial files of a killed upload included), then removed whole.
        let mut count = 0;
        let mut folders = vec![folder.clone()];
        while let Some(dir) = folders.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                other => other?,
            };
            while let Some(entry) = entries.next_entry().await? {
                if entry.file_type().await?.is_dir() {
                    folders.push(entry.path());
                } else {
                    count += 1;
                }
            }
        }
        match tokio::fs::remove_dir_all(&folder).await {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
            _ => Ok(count),
        }
    }

    fn describe(&self) -> String {
        format!("file://{}", self.root.display())
    }
}

/// `GET /objects/{key}?expires=…&signature=…`: the object, streamed, if the link is genuine and
/// unexpired; 403 otherwise (404 for a genuine link to a missing object).
pub fn download_router(store: FsStore) -> Router {
    Router::new()
        .route(&format!("{}{{*key}}", signed::ROUTE_PREFIX), get(download))
        .with_state(store)
}

async fn download(
    State(store): State<FsStore>,
    UrlPath(key): UrlPath<String>,
    RawQuery(query): RawQuery,
) -> Response {
    // Only digits and hex travel in the query, so no percent-decoding is needed.
    let query: HashMap<&str, &str> = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let verdict = signed::verify(
        &store.signing_key,
        &key,
        query.get("expires").copied(),
        query.get("signature").copied(),
        Utc::now().timestamp(),
    );
    if let Err(err) = verdict {
        return (StatusCode::FORBIDDEN, format!("{err}\n")).into_response();
    }
    let Ok(path) = store.path_of(&key) else {
        return (StatusCode::NOT_FOUND, "no such object\n").into_response();
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(_) => return (StatusCode::NOT_FOUND, "no such object\n").into_response(),
    };
    let size = file.metadata().await.map(|m| m.len()).unwrap_or_default();
    let chunks = futures::stream::unfold(file, |mut file| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(bytes::Bytes::from(buf)), file))
            }
            Err(err) => Some((Err(err), file)),
        }
    });
    let name = key.rsplit('/').next().unwrap_or("download").to_owned();
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}
