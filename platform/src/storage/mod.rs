//! Object storage for what EventKit keeps outside the database (tenant exports today): one
//! [`ObjectStore`] trait with a local-filesystem backend ([`fs`], the self-hosted default) and an
//! S3 backend ([`s3`], any S3-compatible endpoint; behind the `s3` cargo feature so the tenant
//! API does not compile `aws-sdk-s3`). Objects are written whole from a local file — in parts,
//! so memory stays flat — and appear only when complete; downloads go through expiring links
//! (S3 presigned GETs, or HMAC-signed URLs served by the control plane for [`fs`]).

pub mod fs;
#[cfg(feature = "s3")]
pub mod s3;
pub mod signed;

use crate::config::StorageConfig;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use std::{fmt, path::Path, sync::Arc};
use uuid::Uuid;

/// How long a download link of an export stays valid (also S3's limit for presigned URLs).
pub const LINK_TTL: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("object key {0:?} is not allowed (ASCII letters, digits, `/`, `.`, `_`, `-`; no `..`)")]
    BadKey(String),
    #[error("object {0} not found")]
    NotFound(String),
    #[error("object storage I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("object storage: {0}")]
    Backend(String),
    #[error("{var}: {message}")]
    Config { var: &'static str, message: String },
}

/// A place to keep objects by key.
#[tonic::async_trait]
pub trait ObjectStore: Send + Sync + fmt::Debug {
    /// Stores the file at `path` as `key` (replacing any object of that key) and returns its
    /// size. Readers see the old object or the whole new one, never a part.
    async fn put_file(&self, key: &str, path: &Path) -> Result<u64, StorageError>;

    /// A link that downloads `key` without other credentials until `expires_at`.
    async fn download_url(
        &self,
        key: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StorageError>;

    /// Removes `key`; removing a missing object is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;

    /// Removes every object whose key starts with `prefix/` (a folder of keys, e.g. a tenant's
    /// [`tenant_prefixes`]), whatever wrote it; returns how many went. An empty or missing
    /// folder is not an error.
    async fn delete_under(&self, prefix: &str) -> Result<u64, StorageError>;

    /// Where objects go, for logs (no credentials).
    fn describe(&self) -> String;
}

/// The configured store, plus the filesystem store itself when that is the backend (the
/// control plane serves its signed download links).
#[derive(Clone, Debug)]
pub struct Storage {
    pub store: Arc<dyn ObjectStore>,
    pub local: Option<fs::FsStore>,
}

impl Storage {
    /// Opens the store `EVENTKIT_STORAGE_URL` names: `file:///path` (or `file://relative/path`)
    /// or `s3://bucket[/prefix]`.
    pub fn from_config(config: &StorageConfig) -> Result<Self, StorageError> {
        let url = config.url.trim();
        if let Some(path) = url.strip_prefix("file://") {
            let local = fs::FsStore::new(
                path,
                config.download_base_url.clone(),
                config.signing_key.clone(),
            );
            return Ok(Self {
                store: Arc::new(local.clone()),
                local: Some(local),
            });
        }
        if url.starts_with("s3://") {
            #[cfg(feature = "s3")]
            return Ok(Self {
                store: Arc::new(s3::S3Store::from_config(config)?),
                local: None,
            });
            #[cfg(not(feature = "s3"))]
            return Err(StorageError::Config {
                var: "EVENTKIT_STORAGE_URL",
                message: "this binary was built without the S3 backend (cargo feature `s3`)".into(),
            });
        }
        Err(StorageError::Config {
            var: "EVENTKIT_STORAGE_URL",
            message: format!("{url:?} must start with file:// or s3://"),
        })
    }
}

/// Where the ZIP of a tenant's export is kept.
pub fn export_key(tenant_id: TenantId, export_id: Uuid) -> String {
    format!("exports/{tenant_id}/{export_id}.zip")
}

/// The folders of keys that hold nothing but this tenant's objects: what its erasure removes
/// with [`ObjectStore::delete_under`].
pub fn tenant_prefixes(tenant_id: TenantId) -> Vec<String> {
    vec![format!("exports/{tenant_id}")]
}

/// Keys are relative paths of safe characters, so they are valid file paths and URL paths as
/// they are.
pub fn check_key(key: &str) -> Result<(), StorageError> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && !key.starts_with('/')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if ok {
        Ok(())
    } else {
        Err(StorageError::BadKey(key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_safe_relative_paths() {
        check_key("exports/0192/0193.zip").unwrap();
        let (tenant, export) = (TenantId::new(), Uuid::now_v7());
        check_key(&export_key(tenant, export)).unwrap();
        for prefix in tenant_prefixes(tenant) {
            check_key(&prefix).unwrap();
            assert!(export_key(tenant, export).starts_with(&format!("{prefix}/")));
        }
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "a//b",
            "a/./b",
            "a b",
            "a?b",
            "ä",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }
}
