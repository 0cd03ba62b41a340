//! The tenant's planning settings: which of enquiry, provisional and confirmed reserve stock.
//! Changing them re-marks every pull-list line in the same transaction (and is refused if that
//! would double-book a serialised asset). Reading the setting is [`crate::bookings`]' business,
//! since every re-marking needs it.

use super::{Planning, input};
use crate::bookings::{self, configured};
use eventkit_domain::planning::{self as rules, EventStatus};
use eventkit_platform::{ApiError, auth::Principal, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};

fn to_pb(configured: &[EventStatus]) -> pb::PlanningSettings {
    pb::PlanningSettings {
        reserving_statuses: configured
            .iter()
            .map(|s| input::event_status_to_pb(*s) as i32)
            .collect(),
    }
}

impl Planning {
    pub async fn get_planning_settings(
        &self,
        p: &Principal,
        _req: GetPlanningSettingsRequest,
    ) -> Result<GetPlanningSettingsResponse, ApiError> {
        let mut tx = self.tx(p).await?;
        let configured = configured(&mut tx).await?;
        tx.commit().await?;
        Ok(GetPlanningSettingsResponse {
            settings: Some(to_pb(&configured)),
        })
    }

    pub async fn update_planning_settings(
        &self,
        p: &Principal,
        req: UpdatePlanningSettingsRequest,
    ) -> Result<UpdatePlanningSettingsResponse, ApiError> {
        let field = "reserving_statuses";
        let chosen = input::event_statuses(field, &req.reserving_statuses)?;
        let chosen = rules::reserving_statuses(field, &chosen)?;

        let mut tx = self.tx(p).await?;
        let names: Vec<&str> = chosen.iter().map(|s| s.as_str()).collect();
        sqlx::query(
            "insert into planning_settings (tenant_id, reserving_statuses) values ($1, $2) \
             on conflict (tenant_id) do update set reserving_statuses = excluded.reserving_statuses, updated_at = now()",
        )
        .bind(tx.tenant_id())
        .bind(&names)
        .execute(&mut *tx)
        .await?;
        bookings::sync_lines(&mut tx, None).await?;
        bookings::ensure_no_double_booking(&mut tx, None).await?;
        let settings = to_pb(&chosen);
        let tenant = tx.tenant_id().uuid();
        outbox::emit(
            &mut tx,
            tenant,
            outbox::Event::PlanningSettingsUpdated(settings.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(UpdatePlanningSettingsResponse {
            settings: Some(settings),
        })
    }
}
