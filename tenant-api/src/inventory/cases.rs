//! Cases: containers with their own code that hold assets (an asset is in at most one case);
//! permanent ones stay packed, temporary ones are emptied when checked back in (scanning).
//! Permanent cases may also hold cases (a rack of drawers), at any depth but never in a loop;
//! the outer case then travels with everything inside it.

use super::{
    Inventory, Lock, input,
    rows::{CASE_COLUMNS, CaseRow},
};
use eventkit_domain::ids::{AssetId, CaseId, LocationId};
use eventkit_domain::{
    Violations,
    events::payloads::{CaseAssetMoved, CaseCaseMoved},
    id, inventory as rules,
    text::parse_code,
};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

async fn fetch_with_contents(tx: &mut TenantTx, id: CaseId) -> Result<pb::Case, ApiError> {
    let row: CaseRow = crate::store::fetch(tx, id, Lock::No).await?;
    let contents: Vec<Uuid> = sqlx::query_scalar(
        "select id from assets where tenant_id = $1 and case_id = $2 order by id",
    )
    .bind(tx.tenant_id())
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let cases: Vec<Uuid> = sqlx::query_scalar(
        "select id from cases where tenant_id = $1 and parent_case_id = $2 order by id",
    )
    .bind(tx.tenant_id())
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(row.into_pb(contents, cases))
}

impl Inventory {
    pub async fn create_case(
        &self,
        p: &Principal,
        req: CreateCaseRequest,
    ) -> Result<CreateCaseResponse, ApiError> {
        let mut v = Violations::new();
        let code = v.check(parse_code("code", &req.code));
        let name = v.check(rules::NAME.parse("name", &req.name));
        let location = v.check(LocationId::parse_optional("location_id", &req.location_id));
        let kind = v.check(input::case_kind("kind", req.kind));
        v.finish()?;

        let mut tx = self.tx(p).await?;
        let row: CaseRow = sqlx::query_as(&format!(
            "insert into cases (tenant_id, id, code, name, location_id, kind) values ($1, $2, $3, $4, $5, $6) returning {CASE_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(code.unwrap())
        .bind(name.unwrap())
        .bind(location.unwrap())
        .bind(kind.unwrap())
        .fetch_one(&mut *tx)
        .await?;
        let id = row.id;
        let case = row.into_pb(Vec::new(), Vec::new());
        outbox::emit(&mut tx, id, outbox::Event::CaseCreated(case.clone())).await?;
        tx.commit().await?;
        Ok(CreateCaseResponse { case: Some(case) })
    }

    pub async fn get_case(
        &self,
        p: &Principal,
        req: GetCaseRequest,
    ) -> Result<GetCaseResponse, ApiError> {
        let id = CaseId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let case = fetch_with_contents(&mut tx, id).await?;
        tx.commit().await?;
        Ok(GetCaseResponse { case: Some(case) })
    }

    pub async fn list_cases(
        &self,
        p: &Principal,
        req: ListCasesRequest,
    ) -> Result<ListCasesResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let location = v.check(LocationId::parse_optional("location_id", &req.location_id));
        v.finish()?;
        let (page, location) = (page.unwrap(), location.unwrap());

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(CASE_COLUMNS, "cases", tx.tenant_id());
        if let Some(location) = location {
            sql.push(" and location_id = ").push_bind(location);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &CaseRow| r.id).await?;
        tx.commit().await?;
        Ok(ListCasesResponse {
            cases: rows
                .into_iter()
                .map(|r| r.into_pb(Vec::new(), Vec::new()))
                .collect(),
            page,
        })
    }

    pub async fn add_asset_to_case(
        &self,
        p: &Principal,
        req: AddAssetToCaseRequest,
    ) -> Result<AddAssetToCaseResponse, ApiError> {
        let case = self
            .move_asset(p, &req.case_id, &req.asset_id, true)
            .await?;
        Ok(AddAssetToCaseResponse { case: Some(case) })
    }

    pub async fn remove_asset_from_case(
        &self,
        p: &Principal,
        req: RemoveAssetFromCaseRequest,
    ) -> Result<RemoveAssetFromCaseResponse, ApiError> {
        let case = self
            .move_asset(p, &req.case_id, &req.asset_id, false)
            .await?;
        Ok(RemoveAssetFromCaseResponse { case: Some(case) })
    }

    /// Puts an asset into (`into = true`) or takes it out of a case, in one transaction.
    async fn move_asset(
        &self,
        p: &Principal,
        raw_case: &str,
        raw_asset: &str,
        into: bool,
    ) -> Result<pb::Case, ApiError> {
        let mut v = Violations::new();
        let case_id = v.check(CaseId::parse("case_id", raw_case));
        let asset_id = v.check(AssetId::parse("asset_id", raw_asset));
        v.finish()?;
        let (case_id, asset_id) = (case_id.unwrap(), asset_id.unwrap());

        let mut tx = self.tx(p).await?;
        let case_exists: Option<Uuid> =
            sqlx::query_scalar("select id from cases where tenant_id = $1 and id = $2 for update")
                .bind(tx.tenant_id())
                .bind(case_id)
                .fetch_optional(&mut *tx)
                .await?;
        case_exists
            .ok_or_else(|| ApiError::NotFound(format!("case_id: case {case_id} not found")))?;
        let current: Option<Option<CaseId>> = sqlx::query_scalar(
            "select case_id from assets where tenant_id = $1 and id = $2 for update",
        )
        .bind(tx.tenant_id())
        .bind(asset_id)
        .fetch_optional(&mut *tx)
        .await?;
        let current = current
            .ok_or_else(|| ApiError::NotFound(format!("asset_id: asset {asset_id} not found")))?;
        if !into && current != Some(case_id) {
            return Err(ApiError::FailedPrecondition(format!(
                "asset {asset_id} is not in case {case_id}"
            )));
        }
        let mut sql =
            QueryBuilder::<Postgres>::new("update assets set updated_at = now(), case_id = ");
        sql.push_bind(into.then_some(case_id));
        sql.push(" where tenant_id = ")
            .push_bind(tx.tenant_id())
            .push(" and id = ")
            .push_bind(asset_id);
        sql.build().execute(&mut *tx).await?;
        if into {
            crate::bookings::ensure_case_bookable(&mut tx, case_id).await?;
        }
        let event = if into {
            outbox::Event::CaseAssetAdded
        } else {
            outbox::Event::CaseAssetRemoved
        };
        let moved = CaseAssetMoved {
            case_id,
            asset_id,
            previous_case_id: current,
        };
        outbox::emit(&mut tx, case_id, event(moved)).await?;
        let case = fetch_with_contents(&mut tx, case_id).await?;
        tx.commit().await?;
        Ok(case)
    }

    pub async fn add_case_to_case(
        &self,
        p: &Principal,
        req: AddCaseToCaseRequest,
    ) -> Result<AddCaseToCaseResponse, ApiError> {
        let case = self.nest(p, &req.case_id, &req.child_case_id, true).await?;
        Ok(AddCaseToCaseResponse { case: Some(case) })
    }

    pub async fn remove_case_from_case(
        &self,
        p: &Principal,
        req: RemoveCaseFromCaseRequest,
    ) -> Result<RemoveCaseFromCaseResponse, ApiError> {
        let case = self
            .nest(p, &req.case_id, &req.child_case_id, false)
            .await?;
        Ok(RemoveCaseFromCaseResponse { case: Some(case) })
    }

    /// Puts `child` into (`into = true`) or takes it out of the permanent case `outer`. Nesting
    /// changes of a tenant are serialised, so two of them cannot close a loop together.
    async fn nest(
        &self,
        p: &Principal,
        raw_outer: &str,
        raw_child: &str,
        into: bool,
    ) -> Result<pb::Case, ApiError> {
        let mut v = Violations::new();
        let outer = v.check(CaseId::parse("case_id", raw_outer));
        let child = v.check(CaseId::parse("child_case_id", raw_child));
        v.finish()?;
        let (outer, child) = (outer.unwrap(), child.unwrap());

        let mut tx = self.tx(p).await?;
        sqlx::query("select pg_advisory_xact_lock(hashtextextended('eventkit.case_nesting:' || $1::text, 0))")
            .bind(tx.tenant_id())
            .execute(&mut *tx)
            .await?;
        let outer_kind: Option<String> = sqlx::query_scalar(
            "select kind from cases where tenant_id = $1 and id = $2 for update",
        )
        .bind(tx.tenant_id())
        .bind(outer)
        .fetch_optional(&mut *tx)
        .await?;
        let outer_kind = outer_kind
            .ok_or_else(|| ApiError::NotFound(format!("case_id: case {outer} not found")))?;
        let current: Option<Option<CaseId>> = sqlx::query_scalar(
            "select parent_case_id from cases where tenant_id = $1 and id = $2 for update",
        )
        .bind(tx.tenant_id())
        .bind(child)
        .fetch_optional(&mut *tx)
        .await?;
        let current = current
            .ok_or_else(|| ApiError::NotFound(format!("child_case_id: case {child} not found")))?;
        if into {
            if child == outer {
                return Err(ApiError::invalid(
                    "child_case_id",
                    "a case cannot hold itself",
                ));
            }
            if outer_kind != "permanent" {
                return Err(ApiError::FailedPrecondition(
                    "only permanent cases hold other cases (temporary ones are emptied on check-in)"
                        .into(),
                ));
            }
            let inside_child: bool = sqlx::query_scalar(
                "select exists (select 1 from ek_case_tree($1, $2) t where t = $3)",
            )
            .bind(tx.tenant_id())
            .bind(child)
            .bind(outer)
            .fetch_one(&mut *tx)
            .await?;
            if inside_child {
                return Err(ApiError::FailedPrecondition(format!(
                    "case {outer} is inside case {child}: nesting them the other way would make a loop"
                )));
            }
        } else if current != Some(outer) {
            return Err(ApiError::FailedPrecondition(format!(
                "case {child} is not in case {outer}"
            )));
        }
        sqlx::query("update cases set parent_case_id = $3, updated_at = now() where tenant_id = $1 and id = $2")
            .bind(tx.tenant_id())
            .bind(child)
            .bind(into.then_some(outer))
            .execute(&mut *tx)
            .await?;
        if into {
            // The outer case's bookings now hold the child and its contents.
            crate::bookings::ensure_case_bookable(&mut tx, outer).await?;
            crate::bookings::ensure_case_bookable(&mut tx, child).await?;
        }
        let event = if into {
            outbox::Event::CaseCaseAdded
        } else {
            outbox::Event::CaseCaseRemoved
        };
        let moved = CaseCaseMoved {
            case_id: outer,
            child_case_id: child,
            previous_case_id: current,
        };
        outbox::emit(&mut tx, outer, event(moved)).await?;
        let case = fetch_with_contents(&mut tx, outer).await?;
        tx.commit().await?;
        Ok(case)
    }
}
