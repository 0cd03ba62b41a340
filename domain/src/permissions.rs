//! Permission names and the built-in roles, declared once. Services name the permission each RPC
//! needs; roles and API keys hold sets of these names. Built-in roles are defined here rather than
//! stored, so a permission added later reaches every tenant's built-in roles at once.

pub const INVENTORY_READ: &str = "inventory:read";
pub const INVENTORY_WRITE: &str = "inventory:write";
pub const PLANNING_READ: &str = "planning:read";
pub const PLANNING_WRITE: &str = "planning:write";
pub const SCANNING_WRITE: &str = "scanning:write";
pub const HISTORY_READ: &str = "history:read";
pub const QUOTES_APPROVE: &str = "quotes:approve";
pub const ADMIN_USERS: &str = "admin:users";
pub const ADMIN_KEYS: &str = "admin:keys";
pub const ADMIN_WEBHOOKS: &str = "admin:webhooks";
pub const ADMIN_SETTINGS: &str = "admin:settings";
pub const ADMIN_AUDIT: &str = "admin:audit";
pub const BILLING_MANAGE: &str = "billing:manage";

/// Every permission name a role or key can hold.
pub const ALL: &[&str] = &[
    INVENTORY_READ,
    INVENTORY_WRITE,
    PLANNING_READ,
    PLANNING_WRITE,
    SCANNING_WRITE,
    HISTORY_READ,
    QUOTES_APPROVE,
    ADMIN_USERS,
    ADMIN_KEYS,
    ADMIN_WEBHOOKS,
    ADMIN_SETTINGS,
    ADMIN_AUDIT,
    BILLING_MANAGE,
];

/// Whether `name` is a permission (or `*`, every permission).
pub fn is_known(name: &str) -> bool {
    name == "*" || ALL.contains(&name)
}

/// The roles every tenant has. Keys match `roles.builtin` in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinRole {
    Admin,
    Manager,
    Planner,
    Warehouse,
    Sales,
    Crew,
    ReadOnly,
}

impl BuiltinRole {
    pub const EVERY: [BuiltinRole; 7] = [
        Self::Admin,
        Self::Manager,
        Self::Planner,
        Self::Warehouse,
        Self::Sales,
        Self::Crew,
        Self::ReadOnly,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Planner => "planner",
            Self::Warehouse => "warehouse",
            Self::Sales => "sales",
            Self::Crew => "crew",
            Self::ReadOnly => "read_only",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::EVERY.into_iter().find(|r| r.key() == key)
    }

    /// The role's permissions; the Admin role holds `*`.
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            Self::Admin => &["*"],
            Self::Manager => &[
                INVENTORY_READ,
                INVENTORY_WRITE,
                PLANNING_READ,
                PLANNING_WRITE,
                SCANNING_WRITE,
                HISTORY_READ,
                QUOTES_APPROVE,
            ],
            Self::Planner => &[INVENTORY_READ, PLANNING_READ, PLANNING_WRITE, HISTORY_READ],
            Self::Warehouse => &[
                INVENTORY_READ,
                INVENTORY_WRITE,
                PLANNING_READ,
                SCANNING_WRITE,
                HISTORY_READ,
            ],
            Self::Sales => &[INVENTORY_READ, PLANNING_READ, PLANNING_WRITE, HISTORY_READ],
            Self::Crew => &[INVENTORY_READ, PLANNING_READ],
            Self::ReadOnly => &[INVENTORY_READ, PLANNING_READ, HISTORY_READ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_roles_hold_only_known_permissions_and_round_trip() {
        for role in BuiltinRole::EVERY {
            assert_eq!(BuiltinRole::parse(role.key()), Some(role));
            for p in role.permissions() {
                assert!(is_known(p), "{role:?} holds unknown {p}");
            }
        }
        assert_eq!(BuiltinRole::parse("root"), None);
    }

    #[test]
    fn only_admin_administers_and_read_only_only_reads() {
        for role in BuiltinRole::EVERY {
            let admin = role
                .permissions()
                .iter()
                .any(|p| p.starts_with("admin:") || *p == "*");
            assert_eq!(admin, role == BuiltinRole::Admin, "{role:?}");
        }
        assert!(
            BuiltinRole::ReadOnly
                .permissions()
                .iter()
                .all(|p| p.ends_with(":read"))
        );
        assert!(!is_known("inventory:delete"));
    }
}
