//! The `eventkit` binary: thin command-line glue over the library crates.

/// mimalloc: the request path allocates many small, short-lived buffers across threads, where
/// glibc malloc showed ~9% of the tenant-api's CPU in profiles (bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod local_services;
mod roles;

use anyhow::Context;
use clap::{Parser, Subcommand};
use eventkit_control_plane::operator_auth;
use eventkit_platform::{
    config::{Config, env_vars},
    db::{Actor, Db},
    development::{self, Uses},
    telemetry,
};
use std::collections::HashMap;

#[derive(Parser)]
#[command(
    name = "eventkit",
    version,
    about = "EventKit: inventory, planning and scanning for rental companies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run everything locally, in development mode: reuse or start Postgres/Redis/NATS, migrate, create the demo tenant, serve all roles.
    Up,
    /// Serve one or more roles in this process (the hosted pool runs one role per process).
    Serve {
        #[arg(required = true, value_enum)]
        roles: Vec<roles::Role>,
    },
    /// Create the database roles and database if missing, then apply migrations (refuses role passwords equal to role names outside development mode).
    Migrate,
    /// Generate demo or bench data for a tenant: products, assets, bulk stock, events with pull lists.
    Seed {
        /// The tenant's id.
        #[arg(long)]
        tenant: uuid::Uuid,
        /// Serialised assets to make (products: one per 25 assets, plus bulk products).
        #[arg(long, default_value_t = 1000)]
        assets: usize,
        /// Events to make, over a year around today.
        #[arg(long, default_value_t = 100)]
        events: usize,
        /// Seed of the generator (same seed, same shape of data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage tenants directly in the database (bootstrap and self-hosting).
    Tenants {
        #[command(subcommand)]
        command: TenantsCommand,
    },
    /// Manage operator tokens (what `ekctl` authenticates with) directly in the database.
    OperatorToken {
        #[command(subcommand)]
        command: OperatorTokenCommand,
    },
}

#[derive(Subcommand)]
enum OperatorTokenCommand {
    /// Create a named operator token; prints {"id": ..., "name": ..., "token": ...} (the token is shown once, only its hash is stored).
    Create {
        #[arg(long)]
        name: String,
    },
    /// Revoke a token by name; calls with it fail at once.
    Revoke {
        #[arg(long)]
        name: String,
    },
    /// List tokens (names and times, never the tokens), one JSON line each.
    List,
}

#[derive(Subcommand)]
enum TenantsCommand {
    /// Create an active tenant; prints {"tenantId": ..., "apiKey": ...} (the key is shown once).
    Create {
        #[arg(long)]
        name: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Every command reads the shared settings; `serve` and `up` read each role's own on top.
    let vars = env_vars();
    let config = Config::from_vars(&vars).context("reading configuration")?;
    telemetry::init_logging(&config.log_format);
    let result = run(cli.command, config, vars).await;
    // Log lines wait a few milliseconds for company; write them before the error or the exit.
    telemetry::flush_logs();
    result
}

async fn run(
    command: Command,
    config: Config,
    vars: HashMap<String, String>,
) -> anyhow::Result<()> {
    match command {
        Command::Up => local_services::up(vars).await,
        Command::Serve { roles } => {
            let roles = roles::configure(&roles, &vars)?;
            roles::serve(&roles, roles::shutdown_signal()).await
        }
        Command::Migrate => {
            // Migrating sets the three roles' passwords from their URLs.
            development::refuse_defaults(
                &config,
                &[
                    Uses::OwnerDatabase,
                    Uses::AppDatabase,
                    Uses::ControlDatabase,
                ],
            )?;
            eventkit_platform::db::bootstrap::migrate(&config.database).await
        }
        Command::Seed {
            tenant,
            assets,
            events,
            seed,
        } => {
            let db = Db::connect_lazy(config.database.app.expose(), 1)?;
            let tenant = eventkit_domain::ids::TenantId::from_uuid(tenant);
            let made = eventkit_devtools::seed::seed(&db, tenant, assets, events, seed).await?;
            println!("{}", serde_json::to_string(&made)?);
            Ok(())
        }
        Command::Tenants {
            command: TenantsCommand::Create { name },
        } => {
            let db = Db::connect_lazy(config.database.control.expose(), 1)?;
            let created =
                eventkit_control_plane::tenants::create(&db, &name, &Actor::system("cli")).await?;
            println!("{}", created.to_json());
            Ok(())
        }
        Command::OperatorToken { command } => {
            let db = Db::connect_lazy(config.database.control.expose(), 1)?;
            let pool = db.pool();
            let failed = |e: eventkit_platform::ApiError| anyhow::anyhow!("{e}");
            match command {
                OperatorTokenCommand::Create { name } => {
                    let issued = operator_auth::create_token(pool, &name)
                        .await
                        .map_err(failed)?;
                    let token = issued.token.expose();
                    println!(
                        "{}",
                        serde_json::json!({"id": issued.id, "name": issued.name, "token": token})
                    );
                }
                OperatorTokenCommand::Revoke { name } => {
                    operator_auth::revoke_token(pool, &name)
                        .await
                        .map_err(failed)?;
                }
                OperatorTokenCommand::List => {
                    for token in operator_auth::list_tokens(pool).await.map_err(failed)? {
                        println!("{token}");
                    }
                }
            }
            Ok(())
        }
    }
}
