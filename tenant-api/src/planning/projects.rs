//! Projects: a named group of events (one client's tour, one festival season).

use super::{
    Planning,
    rows::{PROJECT_COLUMNS, ProjectRow},
};
use eventkit_domain::ids::ProjectId;
use eventkit_domain::{Violations, id, planning as rules};
use eventkit_platform::{ApiError, auth::Principal, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};

impl Planning {
    pub async fn create_project(
        &self,
        p: &Principal,
        req: CreateProjectRequest,
    ) -> Result<CreateProjectResponse, ApiError> {
        let mut v = Violations::new();
        let name = v.check(rules::NAME.parse("name", &req.name));
        let client = v.check(rules::CLIENT_NAME.parse("client_name", &req.client_name));
        v.finish()?;

        let mut tx = self.tx(p).await?;
        let row: ProjectRow = sqlx::query_as(&format!(
            "insert into projects (tenant_id, id, name, client_name) values ($1, $2, $3, $4) returning {PROJECT_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(name.unwrap())
        .bind(client.unwrap())
        .fetch_one(&mut *tx)
        .await?;
        let id = row.id;
        let project = pb::Project::from(row);
        outbox::emit(&mut tx, id, outbox::Event::ProjectCreated(project.clone())).await?;
        tx.commit().await?;
        Ok(CreateProjectResponse {
            project: Some(project),
        })
    }

    pub async fn get_project(
        &self,
        p: &Principal,
        req: GetProjectRequest,
    ) -> Result<GetProjectResponse, ApiError> {
        let id = ProjectId::parse("id", &req.id)?;
        let row: ProjectRow = self.read_once::<ProjectRow>(p, id).await?;
        Ok(GetProjectResponse {
            project: Some(row.into()),
        })
    }

    pub async fn list_projects(
        &self,
        p: &Principal,
        req: ListProjectsRequest,
    ) -> Result<ListProjectsResponse, ApiError> {
        let page = crate::paging::Page::parse(req.page.as_ref())?;
        let mut tx = self.tx(p).await?;
        let sql = page.select(PROJECT_COLUMNS, "projects", tx.tenant_id());
        let (rows, page) = page.fetch(sql, &mut tx, |r: &ProjectRow| r.id).await?;
        tx.commit().await?;
        Ok(ListProjectsResponse {
            projects: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
