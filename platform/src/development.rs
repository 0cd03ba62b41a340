//! Development mode, and the refusal to run with development defaults outside it.
//!
//! The defaults that make `eventkit up` work on a laptop without any settings are public: the
//! download signing key is in the source (anyone could sign links to whole-tenant exports), and
//! the role URLs' passwords are the role names. A production process that silently fell back to
//! them would be open, so the deployables and `eventkit migrate` refuse to start with any of
//! them unless `EVENTKIT_DEV_MODE` is on ([`Config::dev_mode`]); `eventkit up` turns it on. In
//! development mode each default in use is logged as a warning, once per process.

use crate::config::{Config, DEV_SIGNING_KEY, StorageConfig};
use std::{
    collections::HashSet,
    fmt,
    sync::{Mutex, OnceLock},
};

/// What a command uses that has a development default.
#[derive(Clone, Copy, Debug)]
pub enum Uses<'a> {
    /// `EVENTKIT_OWNER_DATABASE_URL` (migrations).
    OwnerDatabase,
    /// `DATABASE_URL` (tenant-api, workers).
    AppDatabase,
    /// `EVENTKIT_CONTROL_DATABASE_URL` (control plane).
    ControlDatabase,
    /// `EVENTKIT_DOWNLOAD_SIGNING_KEY`, when exports are kept in a folder (workers sign the
    /// links, the control plane checks them): the storage section of those two deployables.
    DownloadLinks(&'a StorageConfig),
}

/// A development default found in a configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DevelopmentDefault {
    /// The role's URL (in `var`) has the role's name as its password.
    RolePassword { var: &'static str, role: String },
    /// `EVENTKIT_DOWNLOAD_SIGNING_KEY` is unset (or set to the built-in key).
    DownloadSigningKey,
}

impl fmt::Display for DevelopmentDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RolePassword { var, role } => write!(
                f,
                "{var}: the password of database role {role} is its name (the development default); give the role a secret password and put it in {var}"
            ),
            Self::DownloadSigningKey => write!(
                f,
                "EVENTKIT_DOWNLOAD_SIGNING_KEY is unset: export download links would be signed with the development key, which is public, so anyone could make them; set a long random value, the same on workers and control plane"
            ),
        }
    }
}

/// The refusal to start, listing every development default in use.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub struct Refused(pub Vec<DevelopmentDefault>);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refusing to start with development defaults outside development mode: ")?;
        for (i, found) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{found}")?;
        }
        f.write_str(" (EVENTKIT_DEV_MODE=1 accepts them, on a developer machine only)")
    }
}

impl Uses<'_> {
    fn default_in(self, config: &Config) -> Option<DevelopmentDefault> {
        let role_password = |var: &'static str, url: &str| {
            let (role, password) = crate::db::bootstrap::credentials(url);
            (password.as_deref() == Some(role.as_str()))
                .then_some(DevelopmentDefault::RolePassword { var, role })
        };
        let urls = &config.database;
        match self {
            Self::OwnerDatabase => {
                role_password("EVENTKIT_OWNER_DATABASE_URL", urls.owner.expose())
            }
            Self::AppDatabase => role_password("DATABASE_URL", urls.app.expose()),
            Self::ControlDatabase => {
                role_password("EVENTKIT_CONTROL_DATABASE_URL", urls.control.expose())
            }
            Self::DownloadLinks(storage) => (storage.signs_links()
                && storage.signing_key.expose() == DEV_SIGNING_KEY)
                .then_some(DevelopmentDefault::DownloadSigningKey),
        }
    }
}

/// The development defaults among what `uses` names.
pub fn defaults_in(config: &Config, uses: &[Uses]) -> Vec<DevelopmentDefault> {
    uses.iter().filter_map(|u| u.default_in(config)).collect()
}

/// Refuses development defaults among `uses` unless in development mode, where each one is
/// logged as a warning (once per process).
pub fn refuse_defaults(config: &Config, uses: &[Uses]) -> Result<(), Refused> {
    let found = defaults_in(config, uses);
    if found.is_empty() {
        return Ok(());
    }
    if !config.dev_mode {
        return Err(Refused(found));
    }
    static WARNED: OnceLock<Mutex<HashSet<DevelopmentDefault>>> = OnceLock::new();
    let mut warned = WARNED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for default in found {
        if warned.insert(default.clone()) {
            tracing::warn!(
                "DEVELOPMENT MODE (EVENTKIT_DEV_MODE): running with a development default, never do this where others can connect: {default}"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared configuration and the storage section of `vars`.
    fn config(vars: &[(&str, &str)]) -> (Config, StorageConfig) {
        let vars = crate::config::var_set(vars);
        (
            Config::from_vars(&vars).unwrap(),
            StorageConfig::from_vars(&vars).unwrap(),
        )
    }

    fn all(storage: &StorageConfig) -> [Uses<'_>; 4] {
        [
            Uses::OwnerDatabase,
            Uses::AppDatabase,
            Uses::ControlDatabase,
            Uses::DownloadLinks(storage),
        ]
    }

    #[test]
    fn the_defaults_are_all_found_and_refused_outside_development_mode() {
        let (defaults, storage) = config(&[]);
        let found = defaults_in(&defaults, &all(&storage));
        assert_eq!(
            found,
            vec![
                DevelopmentDefault::RolePassword {
                    var: "EVENTKIT_OWNER_DATABASE_URL",
                    role: "eventkit_owner".into()
                },
                DevelopmentDefault::RolePassword {
                    var: "DATABASE_URL",
                    role: "eventkit_app".into()
                },
                DevelopmentDefault::RolePassword {
                    var: "EVENTKIT_CONTROL_DATABASE_URL",
                    role: "eventkit_control".into()
                },
                DevelopmentDefault::DownloadSigningKey,
            ]
        );
        let refused = refuse_defaults(&defaults, &all(&storage))
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("EVENTKIT_DOWNLOAD_SIGNING_KEY is unset")
                && refused.contains("DATABASE_URL: the password of database role eventkit_app"),
            "{refused}"
        );
        let (development, storage) = config(&[("EVENTKIT_DEV_MODE", "1")]);
        assert_eq!(refuse_defaults(&development, &all(&storage)), Ok(()));
    }

    #[test]
    fn secrets_of_ones_own_pass_and_s3_needs_no_signing_key() {
        let (own, own_storage) = config(&[
            ("DATABASE_URL", "postgres://eventkit_app:s3cret@db/eventkit"),
            (
                "EVENTKIT_CONTROL_DATABASE_URL",
                "postgres://eventkit_control:0ther@db/eventkit",
            ),
            (
                "EVENTKIT_OWNER_DATABASE_URL",
                "postgres://eventkit_owner@db/eventkit",
            ),
            ("EVENTKIT_DOWNLOAD_SIGNING_KEY", "a-long-random-value"),
        ]);
        assert_eq!(defaults_in(&own, &all(&own_storage)), vec![]);
        let (s3, s3_storage) = config(&[
            ("DATABASE_URL", "postgres://eventkit_app:s3cret@db/eventkit"),
            ("EVENTKIT_STORAGE_URL", "s3://bucket/prefix"),
        ]);
        assert_eq!(
            defaults_in(&s3, &[Uses::AppDatabase, Uses::DownloadLinks(&s3_storage)]),
            vec![]
        );
        // The control plane's URL defaults to DATABASE_URL with the role's name as password.
        assert_eq!(
            defaults_in(&s3, &[Uses::ControlDatabase]),
            vec![DevelopmentDefault::RolePassword {
                var: "EVENTKIT_CONTROL_DATABASE_URL",
                role: "eventkit_control".into()
            }]
        );
    }
}
