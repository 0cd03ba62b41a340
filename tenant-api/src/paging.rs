//! Keyset paging for List RPCs: order by id (UUIDv7, so creation order), a page size of 50 by
//! default and 500 at most, and an opaque token that encodes the last id returned.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use eventkit_domain::FieldViolation;
use eventkit_domain::ids::TenantId;
use eventkit_platform::db::TenantTx;
use eventkit_proto::eventkit::v1::{PageRequest, PageResponse};
use sqlx::{FromRow, Postgres, QueryBuilder, postgres::PgRow};
use uuid::Uuid;

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 500;

/// A validated page request: fetch `size + 1` rows after `after` to know if more follow.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub size: i64,
    pub after: Option<Uuid>,
    /// Newest first (logs such as webhook deliveries) instead of oldest first.
    pub newest_first: bool,
}

impl Page {
    pub fn parse(request: Option<&PageRequest>) -> Result<Self, FieldViolation> {
        let Some(request) = request else {
            return Ok(Self {
                size: DEFAULT_PAGE_SIZE,
                after: None,
                newest_first: false,
            });
        };
        let size = match request.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n if n < 0 => {
                return Err(FieldViolation::new(
                    "page.page_size",
                    "must not be negative",
                ));
            }
            n => i64::from(n).min(MAX_PAGE_SIZE),
        };
        let after = if request.page_token.is_empty() {
            None
        } else {
            let bytes = URL_SAFE_NO_PAD
                .decode(&request.page_token)
                .ok()
                .and_then(|b| Uuid::from_slice(&b).ok())
                .ok_or_else(|| {
                    FieldViolation::new("page.page_token", "is not a token this API issued")
                })?;
            Some(bytes)
        };
        Ok(Self {
            size,
            after,
            newest_first: false,
        })
    }

    /// The same page, newest first (the token then points backwards).
    pub fn newest_first(self) -> Self {
        Self {
            newest_first: true,
            ..self
        }
    }

    /// `select <columns> from <table> where tenant_id = … [and id > …]`: add filters, then
    /// [`Page::fetch`].
    pub fn select(
        &self,
        columns: &str,
        table: &str,
        tenant_id: TenantId,
    ) -> QueryBuilder<'static, Postgres> {
        let mut sql = QueryBuilder::new(format!("select {columns} from {table}"));
        self.push_scope(&mut sql, tenant_id);
        sql
    }

    /// ` where tenant_id = … and id > …` (the tenant's rows after the page token), for queries
    /// that select from something other than a plain table.
    pub fn push_scope(&self, sql: &mut QueryBuilder<'static, Postgres>, tenant_id: TenantId) {
        sql.push(" where tenant_id = ").push_bind(tenant_id);
        if let Some(after) = self.after {
            sql.push(if self.newest_first {
                " and id < "
            } else {
                " and id > "
            })
            .push_bind(after);
        }
    }

    /// Runs a [`Page::select`] query in id order and cuts the page.
    pub async fn fetch<T, Id: Into<Uuid>>(
        &self,
        mut sql: QueryBuilder<'static, Postgres>,
        tx: &mut TenantTx,
        id: impl Fn(&T) -> Id,
    ) -> Result<(Vec<T>, Option<PageResponse>), sqlx::Error>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        sql.push(if self.newest_first {
            " order by id desc limit "
        } else {
            " order by id limit "
        })
        .push_bind(self.limit());
        let rows = sql.build_query_as::<T>().fetch_all(&mut **tx).await?;
        Ok(self.finish(rows, id))
    }

    /// The rows to fetch: one more than the page, to see whether another page follows.
    pub fn limit(&self) -> i64 {
        self.size + 1
    }

    /// Cuts `rows` to the page and makes the response's paging part.
    pub fn finish<T, Id: Into<Uuid>>(
        &self,
        mut rows: Vec<T>,
        id: impl Fn(&T) -> Id,
    ) -> (Vec<T>, Option<PageResponse>) {
        let more = rows.len() as i64 > self.size;
        rows.truncate(self.size as usize);
        let next_page_token = match (more, rows.last()) {
            (true, Some(last)) => URL_SAFE_NO_PAD.encode(id(last).into().as_bytes()),
            _ => String::new(),
        };
        (rows, Some(PageResponse { next_page_token }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_default_cap_and_reject_negatives() {
        assert_eq!(Page::parse(None).unwrap().size, 50);
        let req = |n, t: &str| PageRequest {
            page_size: n,
            page_token: t.into(),
        };
        assert_eq!(Page::parse(Some(&req(1000, ""))).unwrap().size, 500);
        assert_eq!(
            Page::parse(Some(&req(-1, ""))).unwrap_err().field,
            "page.page_size"
        );
        assert_eq!(
            Page::parse(Some(&req(10, "garbage!"))).unwrap_err().field,
            "page.page_token"
        );
    }

    #[test]
    fn tokens_round_trip() {
        let page = Page {
            size: 2,
            after: None,
            newest_first: false,
        };
        let ids = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        let (rows, resp) = page.finish(ids.to_vec(), |id| *id);
        assert_eq!(rows.len(), 2);
        let token = resp.unwrap().next_page_token;
        let next = Page::parse(Some(&PageRequest {
            page_size: 2,
            page_token: token,
        }))
        .unwrap();
        assert_eq!(next.after, Some(ids[1]));
        let (_, last) = page.finish(ids[..2].to_vec(), |id| *id);
        assert!(last.unwrap().next_page_token.is_empty());
    }
}
