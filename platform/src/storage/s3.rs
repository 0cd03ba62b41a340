//! The S3 object store, for AWS or any S3-compatible endpoint (MinIO, Ceph, R2, …): objects are
//! uploaded with a multipart upload read from the local file one part at a time (memory stays
//! at one part), so an object appears only when the upload completes; download links are
//! SigV4 presigned GETs. Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
//! `AWS_SESSION_TOKEN`; the endpoint from `EVENTKIT_S3_ENDPOINT` (path-style addressing) or AWS.

use super::{ObjectStore, StorageError, check_key};
use crate::config::StorageConfig;
use aws_sdk_s3::{
    Client,
    config::{BehaviorVersion, Credentials, Region},
    presigning::PresigningConfig,
    primitives::ByteStream,
    types::{CompletedMultipartUpload, CompletedPart},
};
use chrono::{DateTime, Utc};
use std::path::Path;
use tokio::io::AsyncReadExt;

/// Parts are 8 MiB (S3 wants at least 5 MiB for every part but the last).
const PART_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct S3Store {
    client: Client,
    bucket: String,
    /// Prepended to every key (`s3://bucket/prefix`), without a trailing slash.
    prefix: String,
    endpoint: Option<String>,
}

fn backend(what: &str, err: impl std::fmt::Debug) -> StorageError {
    StorageError::Backend(format!("{what}: {err:?}"))
}

impl S3Store {
    pub fn from_config(config: &StorageConfig) -> Result<Self, StorageError> {
        let rest = config.url.trim().trim_start_matches("s3://");
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StorageError::Config {
                var: "EVENTKIT_STORAGE_URL",
                message: "s3:// needs a bucket: s3://bucket[/prefix]".into(),
            });
        }
        let (Some(id), Some(secret)) = (&config.s3_access_key_id, &config.s3_secret_access_key)
        else {
            return Err(StorageError::Config {
                var: "AWS_ACCESS_KEY_ID",
                message: "the S3 backend needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
            });
        };
        let credentials = Credentials::new(
            id.expose(),
            secret.expose(),
            config.s3_session_token.as_ref().map(|t| t.expose().clone()),
            None,
            "eventkit-env",
        );
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.s3_region.clone()))
            .credentials_provider(credentials)
            .http_client(http);
        if let Some(endpoint) = &config.s3_endpoint {
            builder = builder.endpoint_url(endpoint).force_path_style(true);
        }
        Ok(Self {
            client: Client::from_conf(builder.build()),
            bucket: bucket.to_owned(),
            prefix: prefix.trim_end_matches('/').to_owned(),
            endpoint: config.s3_endpoint.clone(),
        })
    }

    fn full_key(&self, key: &str) -> Result<String, StorageError> {
        check_key(key)?;
        Ok(if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        })
    }

    async fn upload_parts(
        &self,
        key: &str,
        upload_id: &str,
        path: &Path,
    ) -> Result<(Vec<CompletedPart>, u64), StorageError> {
        let mut file = tokio::fs::File::open(path).await?;
        let (mut parts, mut size) = (Vec::new(), 0u64);
        loop {
            let mut part = Vec::with_capacity(PART_BYTES);
            while part.len() < PART_BYTES {
                let n = (&mut file)
                    .take((PART_BYTES - part.len()) as u64)
                    .read_to_end(&mut part)
                    .await?;
                if n == 0 {
                    break;
                }
            }
            // An empty file still needs one (empty) part.
            if part.is_empty() && !parts.is_empty() {
                break;
            }
            let number = parts.len() as i32 + 1;
            let last = part.len() < PART_BYTES;
            size += part.len() as u64;
            let done = self
                .client
                .upload_part()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .body(ByteStream::from(part))
                .send()
                .await
                .map_err(|e| backend("UploadPart", e))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(done.e_tag)
                    .build(),
            );
            if last {
                break;
            }
        }
        Ok((parts, size))
    }
}

#[tonic::async_trait]
impl ObjectStore for S3Store {
    async fn put_file(&self, key: &str, path: &Path) -> Result<u64, StorageError> {
        let key = self.full_key(key)?;
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("application/zip")
            .send()
            .await
            .map_err(|e| backend("CreateMultipartUpload", e))?;
        let upload_id = created
            .upload_id
            .ok_or_else(|| backend("CreateMultipartUpload", "no upload id"))?;
        let uploaded = self.upload_parts(&key, &upload_id, path).await;
        let completed = match uploaded {
            Ok((parts, size)) => self
                .client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(&key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map(|_| size)
                .map_err(|e| backend("CompleteMultipartUpload", e)),
            Err(err) => Err(err),
        };
        if completed.is_err() {
            // Leave no parts behind to be billed for.
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(&key)
                .upload_id(&upload_id)
                .send()
                .await;
        }
        completed
    }

    async fn download_url(
        &self,
        key: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StorageError> {
        let key = self.full_key(key)?;
        let ttl = (expires_at - Utc::now())
            .to_std()
            .map_err(|_| backend("presign", "the link would already have expired"))?;
        let presigning = PresigningConfig::expires_in(ttl).map_err(|e| backend("presign", e))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&key)
            .presigned(presigning)
            .await
            .map_err(|e| backend("presign GetObject", e))?;
        Ok(request.uri().to_owned())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let key = self.full_key(key)?;
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(&key)
            .send()
            .await
            .map_err(|e| backend("DeleteObject", e))?;
        Ok(())
    }

    async fn delete_under(&self, prefix: &str) -> Result<u64, StorageError> {
        let folder = format!("{}/", self.full_key(prefix)?);
        let (mut deleted, mut token) = (0, None);
        // Deleted one by one: not every S3-compatible store takes DeleteObjects, and an
        // erasure's folder holds a handful of objects.
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&folder)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| backend("ListObjectsV2", e))?;
            for key in page.contents().iter().filter_map(|o| o.key()) {
                self.client
                    .delete_object()
                    .bucket(&self.bucket)
                    .key(key)
                    .send()
                    .await
                    .map_err(|e| backend("DeleteObject", e))?;
                deleted += 1;
            }
            token = page.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                return Ok(deleted);
            }
        }
    }

    fn describe(&self) -> String {
        let at = self.endpoint.as_deref().unwrap_or("AWS");
        format!("s3://{}/{} at {at}", self.bucket, self.prefix)
    }
}
