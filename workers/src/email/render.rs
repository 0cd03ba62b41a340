//! Email templates: one minijinja file per message and language (`templates/email/<name>.<lang>.j2`)
//! with `subject`, `text` and `html` blocks, the HTML part wrapped in a branded layout (the
//! tenant's name, logo and colour, or EventKit's for emails of no tenant). A message that grants
//! access shows the link the mailer looked up as `link_url`. Templates are compiled into the binary; a missing one is a
//! test failure, not a runtime surprise.

use minijinja::{Environment, Value, context};

/// The languages emails are written in; anything else falls back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

impl Lang {
    /// `de`, `de-DE`, `de_AT` → German; everything else English.
    pub fn from_locale(locale: &str) -> Self {
        match locale.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("de") => Lang::De,
            _ => Lang::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }
}

/// What every email shows of the tenant — or of EventKit itself, for emails about a person's
/// account, which belong to no tenant.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Brand {
    pub name: String,
    pub logo_url: String,
    pub color: String,
    /// Sent on behalf of a tenant (the footer says so).
    pub tenant: bool,
}

/// The colour of emails without a tenant's own.
pub const DEFAULT_COLOR: &str = "#1f6feb";

impl Brand {
    /// EventKit's own, for emails that belong to no tenant.
    pub fn eventkit() -> Self {
        Self {
            name: "EventKit".into(),
            logo_url: String::new(),
            color: DEFAULT_COLOR.into(),
            tenant: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        /// Every message, by name.
        pub const MESSAGES: &[&str] = &[$($name),*];
        const SOURCES: &[(&str, &str)] = &[
            ("layout.html", include_str!("../../templates/email/layout.html")),
            $(
                (concat!($name, ".en.j2"), include_str!(concat!("../../templates/email/", $name, ".en.j2"))),
                (concat!($name, ".de.j2"), include_str!(concat!("../../templates/email/", $name, ".de.j2"))),
            )*
        ];
    };
}

templates!(
    "invitation",
    "password_reset",
    "export_ready",
    "quota_warning",
    "webhook_endpoint_disabled",
    "tenant_suspended",
    "signup_verification",
    "sso_identity_linked",
);

pub struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in SOURCES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("email template {name}: {e}"));
        }
        Self { env }
    }
}

impl Templates {
    /// Renders `message` in `lang`; `vars` is the event's data, `extra` computed values.
    pub fn render(
        &self,
        message: &str,
        lang: Lang,
        brand: &Brand,
        vars: &serde_json::Value,
        extra: Value,
    ) -> anyhow::Result<Rendered> {
        let template = self
            .env
            .get_template(&format!("{message}.{}.j2", lang.code()))?;
        let ctx = context! { brand => brand, vars => vars, lang => lang.code(), ..extra };
        let mut captured = template.render_captured(ctx)?;
        let mut block = |name: &str| captured.with_state_mut(|state| state.render_block(name));
        let subject = block("subject")?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = block("text")?.trim().to_owned() + "\n\n-- \n" + &footer(lang, brand) + "\n";
        let body = block("html")?;
        let html = self.env.get_template("layout.html")?.render(context! {
            brand => brand,
            lang => lang.code(),
            subject => &subject,
            body => Value::from_safe_string(body),
            footer => footer(lang, brand),
        })?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

fn footer(lang: Lang, brand: &Brand) -> String {
    match (lang, brand.tenant) {
        (Lang::En, true) => format!("Sent by EventKit on behalf of {}.", brand.name),
        (Lang::De, true) => format!("Gesendet von EventKit im Auftrag von {}.", brand.name),
        (Lang::En, false) => "Sent by EventKit.".into(),
        (Lang::De, false) => "Gesendet von EventKit.".into(),
    }
}

/// A quota's name in a sentence.
pub fn quota_name(key: &str, lang: Lang) -> &'static str {
    match (key, lang) {
        ("seats", Lang::En) => "seats",
        ("seats", Lang::De) => "Benutzerplätze",
        ("assets", Lang::En) => "assets",
        ("assets", Lang::De) => "Inventarteile",
        ("storage_bytes", Lang::En) => "storage (bytes)",
        ("storage_bytes", Lang::De) => "Speicher (Bytes)",
        ("api_calls_per_day", Lang::En) => "API calls",
        ("api_calls_per_day", Lang::De) => "API-Aufrufe",
        ("webhook_endpoints", Lang::En) => "webhook endpoints",
        ("webhook_endpoints", Lang::De) => "Webhook-Endpunkte",
        (_, Lang::En) => "quota",
        (_, Lang::De) => "Kontingent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventkit_platform::mail::links::LinkedMessage;
    use serde_json::json;

    fn brand() -> Brand {
        Brand {
            name: "Acme <Rentals>".into(),
            logo_url: "https://cdn.example.com/acme.png".into(),
            color: "#ff6600".into(),
            tenant: true,
        }
    }

    #[test]
    fn every_message_renders_in_both_languages_with_the_brand() {
        let t = Templates::default();
        let vars = json!({
            "expiresAt": "2026-12-01", "url": "https://hooks.example.com", "reason": "410", "thresholdPercent": 80,
            "used": 8, "limit": 10, "period": "2026-11", "plan": "pro", "quota": "assets",
            "issuer": "https://idp.example/realms/acme", "proof": "password", "linkedAt": "2026-12-01 10:00 UTC"});
        for message in MESSAGES {
            for lang in [Lang::En, Lang::De] {
                let r = t
                    .render(
                        message,
                        lang,
                        &brand(),
                        &vars,
                        context! { quota_name => "assets", link_url => "https://x/l?token=t" },
                    )
                    .unwrap();
                assert!(
                    !r.subject.is_empty() && !r.subject.contains('\n'),
                    "{message} {lang:?}"
                );
                assert!(
                    r.text.contains("Acme <Rentals>"),
                    "text is not escaped: {message}"
                );
                assert!(
                    r.html.contains("Acme &lt;Rentals&gt;"),
                    "html is escaped: {message}"
                );
                assert!(
                    r.html.contains("#ff6600") && r.html.contains("acme.png"),
                    "branded: {message}"
                );
                assert!(
                    !r.text.contains("{{") && !r.html.contains("{%"),
                    "{message}"
                );
                if LinkedMessage::of(message).is_some() {
                    assert!(
                        r.text.contains("https://x/l?token=t")
                            && r.html.contains("https:&#x2f;&#x2f;x&#x2f;l?token=t"),
                        "{message} carries its link"
                    );
                }
            }
        }
    }

    #[test]
    fn emails_of_no_tenant_are_eventkits_own() {
        let r = Templates::default()
            .render(
                "password_reset",
                Lang::En,
                &Brand::eventkit(),
                &json!({"expiresAt": "2026-12-01 10:00 UTC"}),
                context! { link_url => "https://x/r" },
            )
            .unwrap();
        assert_eq!(r.subject, "Reset your EventKit password");
        assert!(r.text.ends_with("Sent by EventKit.\n"), "{}", r.text);
    }

    #[test]
    fn the_link_notice_says_how_the_provider_was_linked() {
        let t = Templates::default();
        for (proof, says) in [
            ("password", "with your password"),
            ("verified_domain", "owns the domain"),
            ("platform", "own sign-in provider"),
        ] {
            let vars =
                json!({"issuer": "https://idp.example", "proof": proof, "linkedAt": "2026-12-01"});
            let r = t
                .render(
                    "sso_identity_linked",
                    Lang::En,
                    &brand(),
                    &vars,
                    context! {},
                )
                .unwrap();
            assert!(
                r.text.contains(says) && r.text.contains("https://idp.example"),
                "{proof}: {}",
                r.text
            );
        }
    }

    #[test]
    fn locales_pick_a_language() {
        assert_eq!(Lang::from_locale("de-DE"), Lang::De);
        assert_eq!(Lang::from_locale("DE"), Lang::De);
        assert_eq!(Lang::from_locale("en-GB"), Lang::En);
        assert_eq!(Lang::from_locale("fr"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }
}
