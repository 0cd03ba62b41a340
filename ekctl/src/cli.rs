//! ekctl's command line: every command and option, with the help text `--help` prints.

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "ekctl",
    version,
    about = "Operate EventKit: tenants, exports, plans, quotas, usage, background jobs and the operator audit",
    long_about = "Operate EventKit through the control-plane API.\n\n\
        Environment: EKCTL_URL (default http://127.0.0.1:8081) and EKCTL_TOKEN (an operator token from \
        `eventkit operator-token create --name NAME`).",
    after_help = "Exit codes: 0 done; 1 unexpected failure; 2 bad command line; 3 not found; \
        4 input refused (nothing changed); 5 not allowed in the current state; \
        6 missing or bad operator token; 7 control plane unreachable."
)]
pub struct Cli {
    /// Print the API's JSON answer instead of a table (and errors as {"code", "message"} on stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Control-plane URL (overrides EKCTL_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List, create and move tenants through their lifecycle.
    #[command(subcommand)]
    Tenants(Tenants),
    /// Show and edit plans and their quotas.
    #[command(subcommand)]
    Plans(Plans),
    /// Per-tenant quota overrides.
    #[command(subcommand)]
    Quotas(QuotaCommand),
    /// A tenant's quotas and usage.
    Usage {
        /// Tenant id.
        tenant: String,
    },
    /// Background jobs: consumer lag, dead letters (stored failures) and replaying them.
    #[command(subcommand)]
    Jobs(Jobs),
    /// The operator audit: who did what, why and when (newest first).
    Audit {
        /// Only actions on this tenant.
        #[arg(long)]
        tenant: Option<String>,
        /// At most this many events.
        #[arg(long, default_value_t = 50)]
        limit: i32,
    },
}

#[derive(Args, Debug)]
pub struct Reason {
    /// Why (kept in the operator audit; required for suspend, delete and erase).
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Subcommand, Debug)]
pub enum Tenants {
    /// List tenants (all pages).
    List {
        /// Only tenants in this state (pending_approval, provisioning, active, suspended, pending_deletion, erased).
        #[arg(long)]
        state: Option<String>,
    },
    /// Show one tenant and its settings.
    Show { tenant: String },
    /// Create and provision an active tenant.
    Create {
        #[arg(long)]
        name: String,
        /// Plan key (free, starter, pro, enterprise).
        #[arg(long, default_value = "free")]
        plan: String,
        #[arg(long)]
        admin_email: Option<String>,
        /// Also make an admin API key; shown once (`apiKey` in --json).
        #[arg(long)]
        api_key: bool,
        #[command(flatten)]
        reason: Reason,
    },
    /// Approve a signed-up tenant and provision it.
    Approve {
        tenant: String,
        #[command(flatten)]
        reason: Reason,
    },
    /// Lock the tenant's users out (within 5 seconds).
    Suspend {
        tenant: String,
        #[command(flatten)]
        reason: Reason,
    },
    /// Let a suspended tenant's users back in.
    Resume {
        tenant: String,
        #[command(flatten)]
        reason: Reason,
    },
    /// Start the deletion grace period.
    Delete {
        tenant: String,
        #[command(flatten)]
        reason: Reason,
    },
    /// Stop a pending deletion; the tenant is active again.
    CancelDeletion {
        tenant: String,
        #[command(flatten)]
        reason: Reason,
    },
    /// Move a tenant to another plan (its quotas change at once).
    SetPlan {
        tenant: String,
        /// Plan key (free, starter, pro, enterprise).
        plan: String,
        #[command(flatten)]
        reason: Reason,
    },
    /// Export every row the tenant owns (soft-deleted too) as one ZIP (NDJSON and CSV per table,
    /// a manifest); prints the export and, once ready, its download link (valid 7 days).
    Export {
        tenant: String,
        /// Wait until the export is ready or failed, with a progress bar on stderr.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        reason: Reason,
    },
    /// How the erasure of a tenant is going, or went within the last hour (an operator's or
    /// the grace-period sweep's).
    ErasureProgress { tenant: String },
    /// Erase a tenant pending deletion now: every row of it is deleted. Cannot be undone.
    /// Shows a progress bar on stderr while it runs (not with --json).
    Erase {
        tenant: String,
        /// The tenant id again, to confirm.
        #[arg(long, value_name = "TENANT", default_value = "")]
        confirm: String,
        #[command(flatten)]
        reason: Reason,
    },
}

#[derive(Subcommand, Debug)]
pub enum Plans {
    /// Every plan with its quotas.
    List,
    /// One plan.
    Show { plan: String },
    /// Change one field of a plan: display_name, overage_cap_percent, deletion_grace_days, or a
    /// quota (seats, assets, storage_bytes, api_calls_per_day, webhook_endpoints) or rate limit
    /// (requests_per_second, request_burst, principal_requests_per_second,
    /// principal_request_burst); a number or `unlimited`.
    Set {
        plan: String,
        field: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
        #[command(flatten)]
        reason: Reason,
    },
}

#[derive(Subcommand, Debug)]
pub enum QuotaCommand {
    /// Override one quota of a tenant: a number, `unlimited`, or `default` (the plan's limit again).
    Set {
        tenant: String,
        /// seats, assets, storage_bytes, api_calls_per_day, webhook_endpoints, or a rate limit:
        /// requests_per_second, request_burst, principal_requests_per_second, principal_request_burst.
        key: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
        #[command(flatten)]
        reason: Reason,
    },
}

#[derive(Subcommand, Debug)]
pub enum Jobs {
    /// Per stream and durable consumer: events pending delivery, delivered but unacked,
    /// redelivered, and the age of the oldest unacked event.
    Lag,
    /// Events a consumer gave up on (dead letters), newest first.
    Failed {
        /// Only this tenant's.
        #[arg(long)]
        tenant: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i32,
    },
    /// Send dead letters again to the consumer that gave up on them (handlers are idempotent, so a
    /// replay is safe). Every id must exist, or nothing is replayed.
    Replay {
        /// Dead-letter ids (the ID column of `ekctl jobs failed`).
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        #[command(flatten)]
        reason: Reason,
    },
}
