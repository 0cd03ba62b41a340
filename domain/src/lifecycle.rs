//! The tenant lifecycle as a closed state machine: every state change the control plane makes
//! goes through [`TenantState::apply`], so a transition that is not in the table below cannot
//! happen whatever RPC asks for it, and the error says what would have been allowed.
//!
//! ```text
//! pending_approval --approve--> provisioning --provisioned--> active
//! active --suspend--> suspended --resume--> active
//! active | suspended --request_deletion--> pending_deletion --cancel_deletion--> active
//! pending_deletion --erase--> erased
//! ```

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TenantState {
    PendingApproval,
    Provisioning,
    Active,
    Suspended,
    PendingDeletion,
    Erased,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    Approve,
    Provisioned,
    Suspend,
    Resume,
    RequestDeletion,
    CancelDeletion,
    Erase,
}

/// A transition the current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} a tenant that is {}", .transition.verb(), .from.as_str().replace('_', " "))]
pub struct TransitionError {
    pub from: TenantState,
    pub transition: Transition,
}

impl TenantState {
    pub const ALL: [TenantState; 6] = [
        Self::PendingApproval,
        Self::Provisioning,
        Self::Active,
        Self::Suspended,
        Self::PendingDeletion,
        Self::Erased,
    ];

    /// The stored name (the `tenants.state` check constraint lists the same names).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingApproval => "pending_approval",
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::PendingDeletion => "pending_deletion",
            Self::Erased => "erased",
        }
    }

    pub fn from_db(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The state after `transition`, or why it is not allowed.
    pub fn apply(self, transition: Transition) -> Result<TenantState, TransitionError> {
        use TenantState::*;
        use Transition::*;
        match (self, transition) {
            (PendingApproval, Approve) => Ok(Provisioning),
            (Provisioning, Provisioned) => Ok(Active),
            (Active, Suspend) => Ok(Suspended),
            (Suspended, Resume) => Ok(Active),
            (Active | Suspended, RequestDeletion) => Ok(PendingDeletion),
            (PendingDeletion, CancelDeletion) => Ok(Active),
            (PendingDeletion, Erase) => Ok(Erased),
            (from, transition) => Err(TransitionError { from, transition }),
        }
    }
}

impl fmt::Display for TenantState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Transition {
    pub const ALL: [Transition; 7] = [
        Self::Approve,
        Self::Provisioned,
        Self::Suspend,
        Self::Resume,
        Self::RequestDeletion,
        Self::CancelDeletion,
        Self::Erase,
    ];

    /// What the operator or admin asked for, in words ("cannot suspend a tenant that is ...").
    pub fn verb(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Provisioned => "finish provisioning",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::RequestDeletion => "delete",
            Self::CancelDeletion => "cancel the deletion of",
            Self::Erase => "erase",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{TenantState::*, Transition::*, *};

    /// The whole table: every (state, transition) pair is either listed here with its target
    /// or must be refused.
    const ALLOWED: &[(TenantState, Transition, TenantState)] = &[
        (PendingApproval, Approve, Provisioning),
        (Provisioning, Provisioned, Active),
        (Active, Suspend, Suspended),
        (Suspended, Resume, Active),
        (Active, RequestDeletion, PendingDeletion),
        (Suspended, RequestDeletion, PendingDeletion),
        (PendingDeletion, CancelDeletion, Active),
        (PendingDeletion, Erase, Erased),
    ];

    #[test]
    fn every_allowed_and_every_forbidden_transition() {
        let mut refused = 0;
        for from in TenantState::ALL {
            for t in Transition::ALL {
                let expected = ALLOWED
                    .iter()
                    .find(|(f, tr, _)| *f == from && *tr == t)
                    .map(|(_, _, to)| *to);
                match (from.apply(t), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} --{t:?}-->"),
                    (Err(e), None) => {
                        assert_eq!(
                            e,
                            TransitionError {
                                from,
                                transition: t
                            }
                        );
                        refused += 1;
                    }
                    (got, want) => panic!("{from} --{t:?}--> gave {got:?}, expected {want:?}"),
                }
            }
        }
        assert_eq!(refused, 6 * 7 - ALLOWED.len());
    }

    #[test]
    fn erased_is_final_and_errors_read_well() {
        assert!(Transition::ALL.iter().all(|t| Erased.apply(*t).is_err()));
        assert_eq!(
            Suspended.apply(Suspend).unwrap_err().to_string(),
            "cannot suspend a tenant that is suspended"
        );
        assert_eq!(
            PendingApproval
                .apply(RequestDeletion)
                .unwrap_err()
                .to_string(),
            "cannot delete a tenant that is pending approval"
        );
    }

    #[test]
    fn stored_names_round_trip() {
        for s in TenantState::ALL {
            assert_eq!(TenantState::from_db(s.as_str()), Some(s));
        }
        assert_eq!(TenantState::from_db("gone"), None);
    }
}
