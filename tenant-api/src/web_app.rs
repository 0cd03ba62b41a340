//! The web app the tenant API serves at `/`: the one compiled into the binary (`build.rs`
//! embeds `web/dist`), or the built app in `EVENTKIT_WEB_DIR` when that is set.

use anyhow::Context;
use eventkit_platform::rpc::web_app::WebApp;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/web_app.rs"));
}

pub fn load(dir: Option<&Path>) -> anyhow::Result<WebApp> {
    match dir {
        None => {
            if embedded::FILES.is_empty() {
                tracing::warn!(
                    "this binary carries no web app (web/dist was not built): `/` explains how to build it"
                );
            }
            Ok(WebApp::embedded(embedded::FILES))
        }
        Some(dir) => WebApp::from_dir(dir)
            .with_context(|| format!("EVENTKIT_WEB_DIR={}: serving the web app", dir.display())),
    }
}
