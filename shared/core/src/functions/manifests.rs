//! The platform route lists, generated from the route tables: `routes` of every
//! `wrangler.toml`, the `[[trigger.http]]` routes of `spin.toml`, `ROUTES` of
//! `tools/local.mjs` (the local Miniflare server) and `OWNERS` of
//! `tools/wrangler-dev/router.mjs` (the dev router of `wrangler dev`).
//!
//! A function is *mounted* on the platform router either as a whole namespace
//! ([`Function::NAMESPACE`]: `api` takes `/api/`) or by the first two segments of
//! each of its route patterns (`/auth/login` and `/auth/login/mfa` mount
//! `/auth/login` exactly and below). Routes inside another function's namespace are
//! not mounted: `login`'s password routes under `/api/` reach it only when the `api`
//! Worker forwards them. [`FALLBACK`] also takes every path nobody owns on Spin
//! (Miniflare and Cloudflare send those to no function, or to the first one).
//!
//! `cargo xtask manifests` writes the files (the test below with
//! `EDGEAUTH_WRITE_MANIFESTS=1`); the same test, run by `cargo test`, fails when a
//! file no longer says what the tables say.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{Api, Login, OAuth, Pages, Refresh, Reset};
use crate::app::{Function, Route};
use crate::testkit::TestEnv;

/// The function that answers paths no function owns (the layer's `404`).
pub(crate) const FALLBACK: &str = Api::NAME;

/// One path prefix routed to a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    /// `/auth/login`, `/api`.
    pub(crate) prefix: String,
    /// The prefix itself is a route.
    pub(crate) exact: bool,
    /// Paths below it (`prefix/…`) are routes.
    pub(crate) subtree: bool,
}

/// Every function, in manifest order, with its namespace and its table.
pub(crate) fn functions() -> [(&'static str, Option<&'static str>, Vec<&'static str>); 6] {
    fn patterns<F: Function>() -> Vec<&'static str> {
        let table: &[Route<TestEnv>] = F::routes::<TestEnv>();
        table.iter().map(|route| route.pattern).collect()
    }
    [
        (Login::NAME, Login::NAMESPACE, patterns::<Login>()),
        (Reset::NAME, Reset::NAMESPACE, patterns::<Reset>()),
        (Refresh::NAME, Refresh::NAMESPACE, patterns::<Refresh>()),
        (Api::NAME, Api::NAMESPACE, patterns::<Api>()),
        (Pages::NAME, Pages::NAMESPACE, patterns::<Pages>()),
        (OAuth::NAME, OAuth::NAMESPACE, patterns::<OAuth>()),
    ]
}

/// The mounts of one function (see the module docs).
pub(crate) fn mounts(name: &str) -> Vec<Mount> {
    let all = functions();
    let foreign: Vec<&str> = all
        .iter()
        .filter(|(other, _, _)| *other != name)
        .filter_map(|(_, namespace, _)| *namespace)
        .collect();
    let Some((_, namespace, patterns)) = all.iter().find(|(other, _, _)| *other == name) else {
        return Vec::new();
    };
    if let Some(namespace) = namespace {
        return alloc::vec![Mount {
            prefix: namespace.trim_end_matches('/').to_string(),
            exact: false,
            subtree: true,
        }];
    }
    let mut mounts: Vec<Mount> = Vec::new();
    for pattern in patterns {
        if foreign
            .iter()
            .any(|namespace| pattern.starts_with(namespace))
        {
            continue;
        }
        let segments: Vec<&str> = pattern.split('/').skip(1).collect();
        // The first two segments, or fewer when a parameter comes first
        // (`/assets/{file}` mounts `/assets` and below).
        let fixed = segments
            .iter()
            .take(2)
            .take_while(|segment| !segment.starts_with('{'))
            .count();
        assert!(fixed > 0, "{pattern}: a parameter in the first segment");
        let head = format!(
            "/{}",
            segments
                .iter()
                .take(fixed)
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        );
        let index = match mounts.iter().position(|mount| mount.prefix == head) {
            Some(index) => index,
            None => {
                mounts.push(Mount {
                    prefix: head,
                    exact: false,
                    subtree: false,
                });
                mounts.len() - 1
            }
        };
        if segments.len() <= fixed {
            mounts[index].exact = true;
        } else {
            mounts[index].subtree = true;
        }
    }
    // A mount below another one's subtree adds nothing (`/assets/edgeauth` under `/assets`).
    let covered: Vec<String> = mounts
        .iter()
        .filter(|mount| mount.subtree)
        .map(|mount| format!("{}/", mount.prefix))
        .collect();
    mounts.retain(|mount| {
        !covered
            .iter()
            .any(|below| mount.prefix.starts_with(below.as_str()))
    });
    mounts
}

/// Workers route patterns (after the host): `prefix*` covers the prefix and what
/// follows, `prefix/*` only what is below; a pattern another one covers is left out.
pub(crate) fn workers_patterns(mounts: &[Mount]) -> Vec<String> {
    let patterns: Vec<String> = mounts
        .iter()
        .map(|mount| {
            if mount.exact {
                format!("{}*", mount.prefix)
            } else {
                format!("{}/*", mount.prefix)
            }
        })
        .collect();
    patterns
        .iter()
        .filter(|pattern| {
            !patterns.iter().any(|other| {
                other != *pattern
                    && other.ends_with('*')
                    && pattern.starts_with(other.trim_end_matches('*'))
            })
        })
        .cloned()
        .collect()
}

/// Spin routes: the exact path, and `prefix/...` for what is below.
pub(crate) fn spin_routes(mounts: &[Mount]) -> Vec<String> {
    let mut routes = Vec::new();
    for mount in mounts {
        if mount.exact {
            routes.push(mount.prefix.clone());
        }
        if mount.subtree {
            routes.push(format!("{}/...", mount.prefix));
        }
    }
    routes
}

/// Replaces every `routes = [...]` line of a wrangler config by the function's
/// patterns, keeping each line's host and zone.
pub(crate) fn wrangler(text: &str, patterns: &[String]) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let Some(rest) = line.strip_prefix("routes = [{ pattern = \"") else {
            out.push_str(line);
            continue;
        };
        let host = rest.split('/').next().unwrap_or_default();
        let zone = line
            .split("zone_name = \"")
            .nth(1)
            .and_then(|z| z.split('"').next())
            .unwrap_or_default();
        let entries: Vec<String> = patterns
            .iter()
            .map(|p| format!("{{ pattern = \"{host}{p}\", zone_name = \"{zone}\" }}"))
            .collect();
        out.push_str(&format!("routes = [{}]\n", entries.join(", ")));
    }
    out
}

/// Marks the start of the generated part of `spin.toml` and `tools/local.mjs`.
pub(crate) const BEGIN: &str = "generated from the route tables (cargo xtask manifests)";
/// Marks its end.
pub(crate) const END: &str = "end of generated routes";

/// Replaces the lines strictly between the marker lines with `body`.
pub(crate) fn between_markers(text: &str, body: &str) -> Option<String> {
    let start = text.find(BEGIN)?;
    let start = start + text[start..].find('\n')? + 1;
    let end = start + text[start..].find(END)?;
    let end = text[..end].rfind('\n')? + 1;
    Some(format!("{}{}{}", &text[..start], body, &text[end..]))
}

/// The `[[trigger.http]]` entries of `spin.toml`.
pub(crate) fn spin_body() -> String {
    let mut body = String::new();
    for (name, _, _) in functions() {
        for route in spin_routes(&mounts(name)) {
            body.push_str(&format!(
                "[[trigger.http]]\nroute = \"{route}\"\ncomponent = \"{name}\"\n\n"
            ));
        }
    }
    body.push_str(&format!(
        "[[trigger.http]]\nroute = \"/...\"\ncomponent = \"{FALLBACK}\"\n"
    ));
    body
}

/// The function entries of `ROUTES` in `tools/local.mjs` (Miniflare patterns).
pub(crate) fn local_body() -> String {
    let mut body = String::new();
    for (name, _, _) in functions() {
        let patterns: Vec<String> = workers_patterns(&mounts(name))
            .iter()
            .map(|pattern| format!("\"*{pattern}\""))
            .collect();
        body.push_str(&format!("  {name}: [{}],\n", patterns.join(", ")));
    }
    body
}

/// The entries of `OWNERS` in `tools/wrangler-dev/router.mjs`, the dev router of the
/// multi-config `wrangler dev` session: each function's Workers patterns under its
/// service binding (the function's name in capitals).
pub(crate) fn router_body() -> String {
    let mut body = String::new();
    for (name, _, _) in functions() {
        let patterns: Vec<String> = workers_patterns(&mounts(name))
            .iter()
            .map(|pattern| format!("\"{pattern}\""))
            .collect();
        body.push_str(&format!(
            "  {}: [{}],\n",
            name.to_ascii_uppercase(),
            patterns.join(", ")
        ));
    }
    body
}

#[cfg(test)]
mod tests;
