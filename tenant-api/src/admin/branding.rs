//! The tenant's branding — display name, logo, colour — which every email EventKit sends on the
//! tenant's behalf carries (the workers' email templates read it).

use super::Admin;
use crate::{inventory::input::update_mask, wire::timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::{FieldViolation, Violations, text::TextRule};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};

const DISPLAY_NAME: TextRule = TextRule::optional(200);
const UPDATABLE: &[&str] = &["display_name", "logo_url", "primary_color"];
pub const DEFAULT_COLOR: &str = "#1f6feb";

#[derive(sqlx::FromRow)]
struct BrandingRow {
    display_name: String,
    logo_url: String,
    primary_color: String,
    updated_at: Option<DateTime<Utc>>,
}

impl From<BrandingRow> for pb::Branding {
    fn from(r: BrandingRow) -> Self {
        Self {
            display_name: r.display_name,
            logo_url: r.logo_url,
            primary_color: r.primary_color,
            update_time: r.updated_at.map(timestamp),
        }
    }
}

fn logo_url(field: &str, raw: &str) -> Result<String, FieldViolation> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let url = url::Url::parse(raw)
        .map_err(|e| FieldViolation::new(field, format!("is not a URL: {e}")))?;
    if url.scheme() != "https" || raw.chars().count() > 2000 {
        return Err(FieldViolation::new(
            field,
            "must be an https URL of at most 2000 characters",
        ));
    }
    Ok(url.to_string())
}

fn color(field: &str, raw: &str) -> Result<String, FieldViolation> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(DEFAULT_COLOR.into());
    }
    let hex = raw
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    hex.map(|h| format!("#{}", h.to_ascii_lowercase()))
        .ok_or_else(|| FieldViolation::new(field, "must be a colour as #RRGGBB, e.g. #1f6feb"))
}

async fn current(tx: &mut TenantTx) -> Result<BrandingRow, ApiError> {
    let row = sqlx::query_as(
        "select display_name, logo_url, primary_color, updated_at from tenant_branding where tenant_id = $1",
    )
    .bind(tx.tenant_id())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.unwrap_or(BrandingRow {
        display_name: String::new(),
        logo_url: String::new(),
        primary_color: DEFAULT_COLOR.into(),
        updated_at: None,
    }))
}

impl Admin {
    pub async fn get_branding(
        &self,
        p: &Principal,
        _: GetBrandingRequest,
    ) -> Result<GetBrandingResponse, ApiError> {
        let mut tx = self.tx(p).await?;
        let row = current(&mut tx).await?;
        tx.commit().await?;
        Ok(GetBrandingResponse {
            branding: Some(row.into()),
        })
    }

    pub async fn update_branding(
        &self,
        p: &Principal,
        req: UpdateBrandingRequest,
    ) -> Result<UpdateBrandingResponse, ApiError> {
        let branding = req
            .branding
            .ok_or_else(|| ApiError::invalid("branding", "is required"))?;
        let paths = update_mask(req.update_mask.as_ref(), UPDATABLE)?;
        let mut tx = self.tx(p).await?;
        let mut row = current(&mut tx).await?;
        let mut v = Violations::new();
        for path in &paths {
            match *path {
                "display_name" => {
                    if let Some(name) =
                        v.check(DISPLAY_NAME.parse("branding.display_name", &branding.display_name))
                    {
                        row.display_name = name;
                    }
                }
                "logo_url" => {
                    if let Some(url) = v.check(logo_url("branding.logo_url", &branding.logo_url)) {
                        row.logo_url = url;
                    }
                }
                "primary_color" => {
                    if let Some(c) =
                        v.check(color("branding.primary_color", &branding.primary_color))
                    {
                        row.primary_color = c;
                    }
                }
                _ => unreachable!("update_mask checked the paths"),
            }
        }
        v.finish()?;
        let saved: BrandingRow = sqlx::query_as(
            "insert into tenant_branding (tenant_id, display_name, logo_url, primary_color) values ($1, $2, $3, $4) \
             on conflict (tenant_id) do update set display_name = excluded.display_name, logo_url = excluded.logo_url, \
             primary_color = excluded.primary_color, updated_at = now() \
             returning display_name, logo_url, primary_color, updated_at",
        )
        .bind(tx.tenant_id())
        .bind(&row.display_name)
        .bind(&row.logo_url)
        .bind(&row.primary_color)
        .fetch_one(&mut *tx)
        .await?;
        let branding = pb::Branding::from(saved);
        let subject = tx.tenant_id().uuid();
        outbox::emit(
            &mut tx,
            subject,
            outbox::Event::BrandingUpdated(branding.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(UpdateBrandingResponse {
            branding: Some(branding),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_logos() {
        assert_eq!(color("c", "#FF6600").unwrap(), "#ff6600");
        assert_eq!(color("c", "").unwrap(), DEFAULT_COLOR);
        for bad in ["red", "#fff", "ff6600", "#gg0000"] {
            assert_eq!(color("c", bad).unwrap_err().field, "c");
        }
        assert!(logo_url("l", "https://cdn.example.com/a.png").is_ok());
        assert_eq!(logo_url("l", "").unwrap(), "");
        assert!(logo_url("l", "http://cdn.example.com/a.png").is_err());
        assert!(logo_url("l", "javascript:alert(1)").is_err());
    }
}
