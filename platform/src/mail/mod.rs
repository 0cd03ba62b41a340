//! What services hand the mailer besides events: links that grant access, kept outside tenant
//! data until they are mailed ([`links`]), and emails about a person's account, which belong to
//! no tenant ([`account`]). The workers' email module sends both (docs/adr/0033).

pub mod account;
pub mod links;
