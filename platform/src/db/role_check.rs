//! The services' own check that their database role cannot climb past row-level security.
//!
//! Row-level security binds only roles that are not superusers, have no `BYPASSRLS`, and own
//! (or can act as the owner of) no table: an owner can switch RLS off. `eventkit migrate` makes
//! the roles that way, and the catalog test checks it, but a deployment can still point
//! `DATABASE_URL` at `postgres` or `eventkit_owner`, and everything would work — with every
//! tenant's rows open. So a service pool checks each connection it opens ([`refuse_climbing`])
//! and the deployables refuse to start when it fails ([`super::Db::connect_service`]). The
//! role may also not create temporary objects, which could shadow the tables that `SECURITY
//! DEFINER` functions read (migration 0040).

use sqlx::PgConnection;
use std::fmt;

/// One way a role could get past row-level security.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Climb {
    Superuser,
    BypassRls,
    /// The role owns relations, or is a member of `owner`, which does.
    OwnsRelations {
        owner: String,
        count: i64,
        example: String,
    },
    /// The role may create temporary objects in the database.
    Temporary,
}

/// A role a service refuses to run as, with every reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct RoleRefused {
    pub role: String,
    pub database: String,
    pub climbs: Vec<Climb>,
}

impl fmt::Display for RoleRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (role, database) = (&self.role, &self.database);
        write!(
            f,
            "refusing to serve as database role {role}, which could bypass row-level security:"
        )?;
        for climb in &self.climbs {
            match climb {
                Climb::Superuser => write!(f, " it is a superuser;")?,
                Climb::BypassRls => write!(f, " it has BYPASSRLS;")?,
                Climb::OwnsRelations {
                    owner,
                    count,
                    example,
                } if owner == role => write!(f, " it owns {count} relations (e.g. {example});")?,
                Climb::OwnsRelations {
                    owner,
                    count,
                    example,
                } => write!(
                    f,
                    " it is a member of {owner}, which owns {count} relations (e.g. {example});"
                )?,
                Climb::Temporary => write!(
                    f,
                    " it may create temporary objects (run `eventkit migrate`, or \
                     `revoke temporary on database {database} from public`);"
                )?,
            }
        }
        write!(
            f,
            " connect as eventkit_app (tenant-api, workers) or eventkit_control (control plane)"
        )
    }
}

/// What the connected role could do to get past row-level security: nothing (`Ok(None)`) or
/// the refusal with every reason.
pub async fn climbs(conn: &mut PgConnection) -> Result<Option<RoleRefused>, sqlx::Error> {
    let (role, database, superuser, bypass, temporary): (String, String, bool, bool, bool) =
        sqlx::query_as(
            "select r.rolname::text, current_database()::text, r.rolsuper, r.rolbypassrls, \
                    has_database_privilege(current_database(), 'TEMPORARY') \
             from pg_catalog.pg_roles r where r.rolname = current_user",
        )
        .fetch_one(&mut *conn)
        .await?;
    // Relations of this role or of any role it is a member of (it could SET ROLE to it).
    let owned: Option<(String, i64, String)> = sqlx::query_as(
        "select o.rolname::text, count(*), min(c.oid::regclass::text) \
         from pg_catalog.pg_class c join pg_catalog.pg_roles o on o.oid = c.relowner \
         where c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace) \
           and pg_catalog.pg_has_role(c.relowner, 'MEMBER') \
         group by o.rolname order by count(*) desc limit 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let mut found = Vec::new();
    if superuser {
        found.push(Climb::Superuser);
    }
    if bypass {
        found.push(Climb::BypassRls);
    }
    if let Some((owner, count, example)) = owned {
        found.push(Climb::OwnsRelations {
            owner,
            count,
            example,
        });
    }
    if temporary {
        found.push(Climb::Temporary);
    }
    Ok((!found.is_empty()).then_some(RoleRefused {
        role,
        database,
        climbs: found,
    }))
}

/// Fails a new connection whose role could climb (the refusal travels as
/// `sqlx::Error::Configuration`), so no query of a service ever runs on it.
pub async fn refuse_climbing(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    match climbs(conn).await? {
        None => Ok(()),
        Some(refused) => Err(sqlx::Error::Configuration(Box::new(refused))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_every_reason_and_the_way_out() {
        let refused = RoleRefused {
            role: "eventkit_app".into(),
            database: "eventkit".into(),
            climbs: vec![
                Climb::BypassRls,
                Climb::OwnsRelations {
                    owner: "eventkit_owner".into(),
                    count: 3,
                    example: "assets".into(),
                },
                Climb::Temporary,
            ],
        };
        let text = refused.to_string();
        for part in [
            "database role eventkit_app",
            "BYPASSRLS",
            "member of eventkit_owner, which owns 3 relations (e.g. assets)",
            "revoke temporary on database eventkit from public",
        ] {
            assert!(text.contains(part), "{part:?} missing in {text}");
        }
        let own = RoleRefused {
            role: "eventkit_owner".into(),
            database: "eventkit".into(),
            climbs: vec![Climb::OwnsRelations {
                owner: "eventkit_owner".into(),
                count: 3,
                example: "assets".into(),
            }],
        };
        assert!(own.to_string().contains("it owns 3 relations"), "{own}");
    }
}
