//! What a sign-in through a tenant's own identity provider may do with the identity it brings,
//! as pure rules so that every case is unit-tested. The provider is the tenant admins' choice,
//! so its word that someone has an email address is not enough to reach an existing account:
//! it is believed about an account only after the person proved the account once (a link made
//! with the account's password, or by the platform's provider), or where the tenant proved it
//! owns the email's domain (a DNS TXT record), and only for that domain.

use eventkit_domain::ids::UserId;
use eventkit_platform::identity::sessions::AccountAccess;

/// How an external identity came to be linked to its person (`user_identities.proof`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Linked before proofs were recorded: counts for nothing with a tenant's provider.
    Unproven,
    /// Linked by the platform's provider, which the operator runs.
    Platform,
    /// The person signed in with the account's password (and second factor) to link it.
    Password,
    /// The tenant proved it owns the email's domain.
    VerifiedDomain,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        match self {
            Proof::Unproven => "unproven",
            Proof::Platform => "platform",
            Proof::Password => "password",
            Proof::VerifiedDomain => "verified_domain",
        }
    }

    /// The stored name back; anything unknown proves nothing.
    pub fn parse(raw: &str) -> Self {
        match raw {
            "platform" => Proof::Platform,
            "password" => Proof::Password,
            "verified_domain" => Proof::VerifiedDomain,
            _ => Proof::Unproven,
        }
    }

    /// Whether sessions through a link made this way may manage the person's account: only when
    /// the person (or the operator's provider) made it, not the tenant on its own.
    pub fn account_access(self) -> AccountAccess {
        match self {
            Proof::Platform | Proof::Password => AccountAccess::Allowed,
            Proof::Unproven | Proof::VerifiedDomain => AccountAccess::Withheld,
        }
    }
}

/// The tenant's standing on the domain of the email the provider vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// Not one of the tenant's allowed domains.
    NotAllowed(String),
    /// Allowed, ownership not proven.
    Allowed(String),
    /// Allowed, and the TXT record was found.
    Verified(String),
}

/// What is known when the provider has vouched for an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The person a proven link names, with its proof (unproven links are left out).
    pub linked: Option<(UserId, Proof)>,
    /// Otherwise the account with the verified email, if any.
    pub by_email: Option<UserId>,
    /// Whether that person is a member of the tenant already.
    pub member: bool,
    /// The email's domain; `None` when the provider vouched for no verified email.
    pub domain: Option<Domain>,
}

/// The link between the identity and the person after the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// There was one already.
    Kept(Proof),
    /// Record this one (and tell the person).
    New(Proof),
}

impl Link {
    pub fn proof(self) -> Proof {
        match self {
            Link::Kept(p) | Link::New(p) => p,
        }
    }
}

/// Who is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A member of the tenant.
    Member(UserId),
    /// An account (`None`: a new one) that becomes a member now.
    Joins(Option<UserId>),
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Admit {
        who: Who,
        link: Link,
    },
    /// The account exists and the provider was never linked to it: the person proves it first.
    LinkRequired {
        user: UserId,
    },
    Refuse(Refusal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoVerifiedEmail,
    DomainNotAllowed(String),
    DomainNotVerified(String),
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::NoVerifiedEmail => {
                "the identity provider did not vouch for an email address: ask for an invitation"
                    .into()
            }
            Refusal::DomainNotAllowed(domain) => format!(
                "people from {domain} may not sign in with this tenant's identity provider: use \
                 your password, or ask for an invitation"
            ),
            Refusal::DomainNotVerified(domain) => format!(
                "{domain} is not verified for this tenant's single sign-on, so nobody joins by it \
                 yet: ask for an invitation (admins verify the domain with \
                 StartSsoDomainVerification and VerifySsoDomain)"
            ),
        }
    }
}

pub fn decide(facts: &Facts) -> Decision {
    use Decision::*;
    let Some(domain) = &facts.domain else {
        return match facts.linked {
            Some((user, proof)) if facts.member => admit(Who::Member(user), Link::Kept(proof)),
            _ => Refuse(Refusal::NoVerifiedEmail),
        };
    };
    if let Some((user, proof)) = facts.linked {
        // A proven link stands for its person; joining the tenant again needs the domain.
        return match domain {
            _ if facts.member => admit(Who::Member(user), Link::Kept(proof)),
            Domain::Verified(_) => admit(Who::Joins(Some(user)), Link::Kept(proof)),
            Domain::Allowed(_) if proof.account_access() == AccountAccess::Allowed => {
                admit(Who::Joins(Some(user)), Link::Kept(proof))
            }
            Domain::Allowed(_) => LinkRequired { user },
            Domain::NotAllowed(d) => Refuse(Refusal::DomainNotAllowed(d.clone())),
        };
    }
    match (domain, facts.by_email) {
        (Domain::NotAllowed(d), _) => Refuse(Refusal::DomainNotAllowed(d.clone())),
        (Domain::Verified(_), user) => admit(
            match user {
                Some(user) if facts.member => Who::Member(user),
                user => Who::Joins(user),
            },
            Link::New(Proof::VerifiedDomain),
        ),
        (Domain::Allowed(_), Some(user)) => LinkRequired { user },
        (Domain::Allowed(d), None) => Refuse(Refusal::DomainNotVerified(d.clone())),
    }
}

fn admit(who: Who, link: Link) -> Decision {
    Decision::Admit { who, link }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn facts(linked: Option<Proof>, by_email: bool, member: bool, domain: Option<Domain>) -> Facts {
        Facts {
            linked: linked.map(|p| (user(), p)),
            by_email: by_email.then(user),
            member,
            domain,
        }
    }

    fn user() -> UserId {
        UserId::from_uuid(Uuid::from_u128(7))
    }

    fn allowed() -> Option<Domain> {
        Some(Domain::Allowed("corp.example".into()))
    }

    fn verified() -> Option<Domain> {
        Some(Domain::Verified("corp.example".into()))
    }

    #[test]
    fn an_unproven_domain_never_reaches_an_existing_account_without_the_person() {
        // The review's H1: a member of another tenant only, named by the provider's email.
        assert_eq!(
            decide(&facts(None, true, false, allowed())),
            Decision::LinkRequired { user: user() }
        );
        // A member of this tenant whose identity was never linked: the same.
        assert_eq!(
            decide(&facts(None, true, true, allowed())),
            Decision::LinkRequired { user: user() }
        );
        // Nobody joins through a domain the tenant has not proven.
        assert_eq!(
            decide(&facts(None, false, false, allowed())),
            Decision::Refuse(Refusal::DomainNotVerified("corp.example".into()))
        );
    }

    #[test]
    fn a_verified_domain_joins_just_in_time_and_links_without_account_access() {
        for (by_email, member, who) in [
            (false, false, Who::Joins(None)),
            (true, false, Who::Joins(Some(user()))),
            (true, true, Who::Member(user())),
        ] {
            assert_eq!(
                decide(&facts(None, by_email, member, verified())),
                Decision::Admit {
                    who,
                    link: Link::New(Proof::VerifiedDomain)
                },
                "{by_email} {member}"
            );
        }
        assert_eq!(
            Proof::VerifiedDomain.account_access(),
            AccountAccess::Withheld
        );
    }

    #[test]
    fn proven_links_sign_in_and_rejoin_where_the_domain_allows() {
        assert_eq!(
            decide(&facts(Some(Proof::Password), false, true, allowed())),
            Decision::Admit {
                who: Who::Member(user()),
                link: Link::Kept(Proof::Password)
            }
        );
        assert_eq!(
            decide(&facts(Some(Proof::Password), false, false, allowed())),
            Decision::Admit {
                who: Who::Joins(Some(user())),
                link: Link::Kept(Proof::Password)
            }
        );
        // A link the domain made is only as good as the domain's proof for joining again.
        assert_eq!(
            decide(&facts(Some(Proof::VerifiedDomain), false, false, allowed())),
            Decision::LinkRequired { user: user() }
        );
        assert_eq!(
            decide(&facts(
                Some(Proof::Password),
                false,
                false,
                Some(Domain::NotAllowed("x.example".into()))
            )),
            Decision::Refuse(Refusal::DomainNotAllowed("x.example".into()))
        );
        // Members keep signing in with a proven link whatever their email says now.
        assert_eq!(
            decide(&facts(Some(Proof::VerifiedDomain), false, true, None)),
            Decision::Admit {
                who: Who::Member(user()),
                link: Link::Kept(Proof::VerifiedDomain)
            }
        );
        assert_eq!(Proof::Password.account_access(), AccountAccess::Allowed);
    }

    #[test]
    fn other_domains_and_missing_emails_are_refused() {
        assert_eq!(
            decide(&facts(
                None,
                true,
                true,
                Some(Domain::NotAllowed("other.example".into()))
            )),
            Decision::Refuse(Refusal::DomainNotAllowed("other.example".into()))
        );
        assert_eq!(
            decide(&facts(None, false, false, None)),
            Decision::Refuse(Refusal::NoVerifiedEmail)
        );
        assert_eq!(
            decide(&facts(Some(Proof::Password), false, false, None)),
            Decision::Refuse(Refusal::NoVerifiedEmail)
        );
    }

    #[test]
    fn proofs_round_trip_and_unknown_ones_prove_nothing() {
        for p in [
            Proof::Unproven,
            Proof::Platform,
            Proof::Password,
            Proof::VerifiedDomain,
        ] {
            assert_eq!(Proof::parse(p.as_str()), p);
        }
        assert_eq!(Proof::parse("admin_said_so"), Proof::Unproven);
    }
}
