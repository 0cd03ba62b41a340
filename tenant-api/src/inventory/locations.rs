//! Locations: the warehouse → zone → bin hierarchy (rules in `eventkit_domain::inventory`).

use super::{
    Inventory, input,
    rows::{LOCATION_COLUMNS, LocationRow},
};
use eventkit_domain::ids::LocationId;
use eventkit_domain::{Violations, id, inventory as rules};
use eventkit_platform::{ApiError, auth::Principal, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};

impl Inventory {
    pub async fn create_location(
        &self,
        p: &Principal,
        req: CreateLocationRequest,
    ) -> Result<CreateLocationResponse, ApiError> {
        let mut v = Violations::new();
        let name = v.check(rules::NAME.parse("name", &req.name));
        let kind = v.check(input::location_kind("kind", req.kind));
        let parent_id = v.check(id::parse_optional_id("parent_id", &req.parent_id));
        v.finish()?;
        let (name, kind, parent_id) = (name.unwrap(), kind.unwrap(), parent_id.unwrap());

        let mut tx = self.tx(p).await?;
        let parent_kind = match parent_id {
            None => None,
            Some(parent) => {
                let kind: Option<String> = sqlx::query_scalar(
                    "select kind from locations where tenant_id = $1 and id = $2",
                )
                .bind(tx.tenant_id())
                .bind(parent)
                .fetch_optional(&mut *tx)
                .await?;
                let kind = kind.ok_or_else(|| {
                    ApiError::NotFound(format!("parent_id: location {parent} not found"))
                })?;
                rules::LocationKind::from_db(&kind)
            }
        };
        rules::check_parent(kind, parent_kind)?;
        let row: LocationRow = sqlx::query_as(&format!(
            "insert into locations (tenant_id, id, name, kind, parent_id) values ($1, $2, $3, $4, $5) returning {LOCATION_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(name)
        .bind(kind.as_str())
        .bind(parent_id)
        .fetch_one(&mut *tx)
        .await?;
        let id = row.id;
        let location = pb::Location::from(row);
        outbox::emit(
            &mut tx,
            id,
            outbox::Event::LocationCreated(location.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(CreateLocationResponse {
            location: Some(location),
        })
    }

    pub async fn get_location(
        &self,
        p: &Principal,
        req: GetLocationRequest,
    ) -> Result<GetLocationResponse, ApiError> {
        let id = LocationId::parse("id", &req.id)?;
        let row: LocationRow = self.read_once::<LocationRow>(p, id).await?;
        Ok(GetLocationResponse {
            location: Some(row.into()),
        })
    }

    pub async fn list_locations(
        &self,
        p: &Principal,
        req: ListLocationsRequest,
    ) -> Result<ListLocationsResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let parent = v.check(id::parse_optional_id("parent_id", &req.parent_id));
        v.finish()?;
        let (page, parent) = (page.unwrap(), parent.unwrap());

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(LOCATION_COLUMNS, "locations", tx.tenant_id());
        if let Some(parent) = parent {
            sql.push(" and parent_id = ").push_bind(parent);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &LocationRow| r.id).await?;
        tx.commit().await?;
        Ok(ListLocationsResponse {
            locations: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
