//! Each RPC's rule as the proto declares it — the `(eventkit.v1.rule)` method option (who may
//! call, the permission, whether the answer holds a secret) and the standard
//! `idempotency_level = NO_SIDE_EFFECTS` (a read) — read once from the descriptors, so the gate
//! ([`super::gate`]) and the Connect adapter decide from the contract itself rather than from
//! tables or method-name prefixes kept beside it (docs/adr/0037).
//!
//! Loading refuses an RPC without a rule, a tenant rule without a known permission, and a
//! permission on a rule that is not for tenants: a server with such an RPC does not start, and a
//! test loads every service of both APIs.

use anyhow::{Context, bail};
use eventkit_domain::permissions;
use eventkit_proto::eventkit::v1::{RpcCaller, RpcRule};
use prost_reflect::{DescriptorPool, MethodDescriptor, Value};
use prost_types::method_options::IdempotencyLevel;
use std::collections::HashMap;

/// The full name of the method option that holds each RPC's [`RpcRule`].
pub const RULE_OPTION: &str = "eventkit.v1.rule";

/// Who may call an RPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// A credential (API key, token, session) of a tenant, holding what [`Needs`] says.
    Tenant(Needs),
    /// A person signed in with a session that may manage their account as a whole.
    Account,
    /// Anyone, without credentials; a valid credential sent along is passed on.
    Anyone,
    /// A platform operator, with an operator token.
    Operator,
}

/// What a tenant credential must hold to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// One permission, e.g. `inventory:write`.
    Permission(&'static str),
    /// Every permission (`*` in the proto): a tenant admin's credential.
    Every,
}

/// One RPC's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub caller: Caller,
    /// Marked `NO_SIDE_EFFECTS`: served over HTTP GET too, and `Idempotency-Key` does not apply.
    pub read: bool,
    /// The answer shows a secret: never stored for replay, never cached.
    pub answer_holds_secret: bool,
}

impl Rule {
    /// Whether `Idempotency-Key` applies: a tenant credential's writes whose answers may be
    /// stored (a retry of a write that showed a secret makes another; the caller revokes the
    /// spare).
    pub fn keeps_idempotent_answers(&self) -> bool {
        matches!(self.caller, Caller::Tenant(_)) && !self.read && !self.answer_holds_secret
    }

    fn of(method: &MethodDescriptor) -> anyhow::Result<Self> {
        let path = path_of(method);
        let pool = method.parent_pool();
        let extension = pool
            .get_extension_by_name(RULE_OPTION)
            .context("the descriptors lack the eventkit.v1.rule option")?;
        let options = method.options();
        if !options.has_extension(&extension) {
            bail!("{path} declares no (eventkit.v1.rule) option");
        }
        let declared: RpcRule = match options.get_extension(&extension).as_ref() {
            Value::Message(message) => message
                .transcode_to()
                .with_context(|| format!("{path}: unreadable rule"))?,
            other => bail!("{path}: the rule is not a message: {other:?}"),
        };
        let permission = declared.permission.as_str();
        let caller = match declared.caller() {
            RpcCaller::Tenant => Caller::Tenant(match permission {
                "*" => Needs::Every,
                name => Needs::Permission(
                    permissions::ALL
                        .iter()
                        .copied()
                        .find(|known| *known == name)
                        .with_context(|| {
                            format!("{path}: unknown permission {name:?} in its rule")
                        })?,
                ),
            }),
            RpcCaller::Account => Caller::Account,
            RpcCaller::Anyone => Caller::Anyone,
            RpcCaller::Operator => Caller::Operator,
            RpcCaller::Unspecified => bail!("{path}: its rule names no caller"),
        };
        if !permission.is_empty() && !matches!(caller, Caller::Tenant(_)) {
            bail!("{path}: a permission applies to tenant callers only");
        }
        let read = method
            .method_descriptor_proto()
            .options
            .as_ref()
            .is_some_and(|o| o.idempotency_level() == IdempotencyLevel::NoSideEffects);
        Ok(Self {
            caller,
            read,
            answer_holds_secret: declared.answer_holds_secret,
        })
    }
}

/// `/package.Service/Method`, the path every protocol calls.
pub fn path_of(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

/// The rules and descriptors of every RPC a port serves, by path.
#[derive(Debug, Default)]
pub struct RpcRules {
    services: Vec<&'static str>,
    by_path: HashMap<String, (Rule, MethodDescriptor)>,
}

impl RpcRules {
    /// Reads the rule of every method of `services` (full names) from `pool`.
    pub fn load(pool: &DescriptorPool, services: &[&'static str]) -> anyhow::Result<Self> {
        let mut by_path = HashMap::new();
        for name in services {
            let service = pool
                .get_service_by_name(name)
                .with_context(|| format!("no service {name} in the descriptors"))?;
            for method in service.methods() {
                by_path.insert(path_of(&method), (Rule::of(&method)?, method));
            }
        }
        Ok(Self {
            services: services.to_vec(),
            by_path,
        })
    }

    /// Full names of the services whose RPCs these are.
    pub fn services(&self) -> &[&'static str] {
        &self.services
    }

    /// The rule of the RPC at `path`; `None` for anything that is not one of the port's RPCs.
    pub fn get(&self, path: &str) -> Option<&Rule> {
        self.by_path.get(path).map(|(rule, _)| rule)
    }

    /// The rule and the descriptor of the RPC at `path`.
    pub fn method(&self, path: &str) -> Option<&(Rule, MethodDescriptor)> {
        self.by_path.get(path)
    }

    /// Every RPC's path and rule.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Rule)> {
        self.by_path
            .iter()
            .map(|(path, (rule, _))| (path.as_str(), rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventkit_proto::{CONTROL_PLANE_SERVICES, TENANT_API_SERVICES, descriptor_pool};

    fn rules_of(services: &[&'static str]) -> RpcRules {
        RpcRules::load(descriptor_pool(), services).unwrap_or_else(|err| panic!("{err:#}"))
    }

    /// Every RPC of either API declares its rule (loading fails on the first that does not).
    #[test]
    fn every_rpc_of_both_apis_declares_a_rule() {
        let tenant = rules_of(TENANT_API_SERVICES);
        let control = rules_of(CONTROL_PLANE_SERVICES);
        let pool = descriptor_pool();
        let methods = |names: &[&str]| -> usize {
            names
                .iter()
                .map(|n| pool.get_service_by_name(n).unwrap().methods().len())
                .sum()
        };
        assert_eq!(tenant.iter().count(), methods(TENANT_API_SERVICES));
        assert_eq!(control.iter().count(), methods(CONTROL_PLANE_SERVICES));
    }

    /// A Get, List or Lookup that is not marked side-effect free would be keyed as a write and
    /// not served over GET: each is marked, but for the one whose request holds a token.
    #[test]
    fn reads_are_marked_side_effect_free() {
        let all = [TENANT_API_SERVICES, CONTROL_PLANE_SERVICES].concat();
        for (path, rule) in rules_of(&all).iter() {
            let method = path.rsplit('/').next().unwrap();
            let named_as_read = ["Get", "List", "Lookup"]
                .iter()
                .any(|verb| method.starts_with(verb));
            if path == "/eventkit.v1.AuthService/GetInvitation" {
                assert!(!rule.read, "its token must not go into a URL");
            } else if named_as_read {
                assert!(rule.read, "{path} reads but is not NO_SIDE_EFFECTS");
            }
        }
    }

    #[test]
    fn rules_read_as_declared() {
        let rules = rules_of(&[TENANT_API_SERVICES, CONTROL_PLANE_SERVICES].concat());
        let rule = |path: &str| *rules.get(path).unwrap_or_else(|| panic!("{path}"));
        let create = rule("/eventkit.v1.InventoryService/CreateProduct");
        assert_eq!(
            create.caller,
            Caller::Tenant(Needs::Permission(permissions::INVENTORY_WRITE))
        );
        assert!(!create.read && create.keeps_idempotent_answers());
        let get = rule("/eventkit.v1.InventoryService/GetProduct");
        assert!(get.read && !get.keeps_idempotent_answers());
        assert!(rule("/eventkit.v1.PlanningService/CheckAvailability").read);
        let key = rule("/eventkit.v1.AdminService/CreateApiKey");
        assert!(key.answer_holds_secret && !key.keeps_idempotent_answers());
        assert_eq!(
            rule("/eventkit.v1.AuthService/SignIn").caller,
            Caller::Anyone
        );
        assert_eq!(
            rule("/eventkit.v1.AuthService/DisableTotp").caller,
            Caller::Account
        );
        let sso = rule("/eventkit.v1.AdminService/StartSsoDomainVerification");
        assert!(sso.keeps_idempotent_answers());
        assert_eq!(
            rule("/controlplane.v1.AccountService/RequestExport").caller,
            Caller::Tenant(Needs::Every)
        );
        assert_eq!(
            rule("/controlplane.v1.OperatorTenantService/ListTenants").caller,
            Caller::Operator
        );
        assert_eq!(
            rule("/controlplane.v1.SignupService/SignUp").caller,
            Caller::Anyone
        );
        assert!(rules.get("/eventkit.v1.Nope/CreateThing").is_none());
    }
}
