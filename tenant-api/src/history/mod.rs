//! Entity history: the field-by-field changes the database triggers record (migration 0013) for
//! every change to products, assets, cases, locations, projects, events, pull-list lines,
//! sub-rents, stock levels and maintenance records — old → new, who, when — listed per entity.

use crate::{fields::unknown_enum, wire::timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::{FieldViolation, Violations, id};
use eventkit_platform::{ApiError, auth::Principal, db::TenantDb, delegate};
use eventkit_proto::eventkit::v1::{self as pb, history_service_server::HistoryService, *};
use uuid::Uuid;

#[derive(Clone)]
pub struct History {
    db: TenantDb,
}

impl History {
    pub fn new(db: TenantDb) -> Self {
        Self { db }
    }
}

delegate! {
    HistoryService => HistoryApi(History) for Principal {
    list_entity_history(ListEntityHistoryRequest) -> ListEntityHistoryResponse;
    }
}

/// API entity types and their stored names.
const ENTITY_TYPES: [(pb::EntityType, &str); 10] = [
    (pb::EntityType::Product, "product"),
    (pb::EntityType::Asset, "asset"),
    (pb::EntityType::Case, "case"),
    (pb::EntityType::Location, "location"),
    (pb::EntityType::Project, "project"),
    (pb::EntityType::Event, "event"),
    (pb::EntityType::PullListLine, "pull_list_line"),
    (pb::EntityType::SubRent, "sub_rent"),
    (pb::EntityType::StockLevel, "stock_level"),
    (pb::EntityType::MaintenanceRecord, "maintenance_record"),
];

/// The stored entity type of an API one (`None` for UNSPECIFIED: any).
fn entity_type(field: &str, raw: i32) -> Result<Option<&'static str>, FieldViolation> {
    let api = pb::EntityType::try_from(raw).map_err(|_| unknown_enum(field, raw))?;
    Ok(ENTITY_TYPES
        .iter()
        .find(|(t, _)| *t == api)
        .map(|(_, name)| *name))
}

/// JSON as a `google.protobuf.Value`.
fn value(json: serde_json::Value) -> prost_types::Value {
    use prost_types::value::Kind;
    let kind = match json {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(b),
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Kind::StringValue(s),
        serde_json::Value::Array(items) => Kind::ListValue(prost_types::ListValue {
            values: items.into_iter().map(value).collect(),
        }),
        serde_json::Value::Object(fields) => Kind::StructValue(prost_types::Struct {
            fields: fields.into_iter().map(|(k, v)| (k, value(v))).collect(),
        }),
    };
    prost_types::Value { kind: Some(kind) }
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: Uuid,
    entity_type: String,
    entity_id: Uuid,
    operation: String,
    field: String,
    old_value: Option<serde_json::Value>,
    new_value: Option<serde_json::Value>,
    actor: String,
    created_at: DateTime<Utc>,
}

impl From<ChangeRow> for pb::FieldChange {
    fn from(r: ChangeRow) -> Self {
        let operation = match r.operation.as_str() {
            "insert" => pb::ChangeOperation::Create,
            "update" => pb::ChangeOperation::Update,
            "delete" => pb::ChangeOperation::Delete,
            _ => pb::ChangeOperation::Unspecified,
        };
        pb::FieldChange {
            id: r.id.to_string(),
            operation: operation as i32,
            field: r.field,
            old_value: r.old_value.map(value),
            new_value: r.new_value.map(value),
            actor: r.actor,
            create_time: Some(timestamp(r.created_at)),
            entity_type: ENTITY_TYPES
                .iter()
                .find(|(_, name)| *name == r.entity_type)
                .map_or(pb::EntityType::Unspecified, |(t, _)| *t) as i32,
            entity_id: r.entity_id.to_string(),
        }
    }
}

impl History {
    pub async fn list_entity_history(
        &self,
        p: &Principal,
        req: ListEntityHistoryRequest,
    ) -> Result<ListEntityHistoryResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let entity_type = v.check(entity_type("entity_type", req.entity_type));
        let entity = v.check(id::parse_optional_id("entity_id", &req.entity_id));
        v.finish()?;
        let (page, entity_type, entity) = (page.unwrap(), entity_type.unwrap(), entity.unwrap());

        let mut tx = self.db.tx(p).await?;
        let mut sql = page.select(
            "id, entity_type, entity_id, operation, field, old_value, new_value, actor, created_at",
            "entity_changes",
            tx.tenant_id(),
        );
        if let Some(entity_type) = entity_type {
            sql.push(" and entity_type = ").push_bind(entity_type);
        }
        if let Some(entity) = entity {
            sql.push(" and entity_id = ").push_bind(entity);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &ChangeRow| r.id).await?;
        tx.commit().await?;
        Ok(ListEntityHistoryResponse {
            changes: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_types_are_required_and_json_becomes_values() {
        assert_eq!(entity_type("t", 0), Ok(None));
        assert_eq!(entity_type("t", 6), Ok(Some("event")));
        for (api, _) in ENTITY_TYPES {
            assert!(entity_type("t", api as i32).unwrap().is_some());
        }
        assert!(entity_type("t", 99).is_err());
        let v = value(serde_json::json!({"a": [1, "x", null, true]}));
        let Some(prost_types::value::Kind::StructValue(s)) = v.kind else {
            panic!("a struct")
        };
        assert!(matches!(
            s.fields["a"].kind,
            Some(prost_types::value::Kind::ListValue(ref l)) if l.values.len() == 4
        ));
    }
}
