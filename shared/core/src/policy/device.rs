//! A coarse summary of a client's `User-Agent` — browser family and operating system,
//! `Firefox on Linux` — for user notices, alerts and "have we seen this device"
//! (docs/monitoring.md, "User notices").
//!
//! Coarse on purpose: versions change with every update (a new "device" each month)
//! and a full user agent is close to a fingerprint. Two browsers of one family on one
//! system are one device here; that is the price of not fingerprinting users.
//!
//! Security considerations: the summary is picked from a fixed list of names, so it
//! never carries text of the client's choosing into a mail, a webhook or a record;
//! anything unrecognised is `unknown browser` / `unknown system`.

use alloc::string::String;

/// Browser families, first match wins (order matters: Edge and Opera also say
/// `Chrome/`, Chrome also says `Safari/`).
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("EdgiOS", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-requests", "Python"),
    ("node", "Node.js"),
    ("undici", "Node.js"),
    ("okhttp", "OkHttp"),
];

/// Operating systems, first match wins (iPadOS and Android agents also name `Mac OS
/// X` and `Linux`).
const SYSTEMS: &[(&str, &str)] = &[
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

/// The summary of `user_agent`: `Firefox on Linux`; `unknown device` without one.
pub fn summary(user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent.filter(|agent| !agent.trim().is_empty()) else {
        return String::from("unknown device");
    };
    let browser = BROWSERS
        .iter()
        .find(|(needle, _)| agent.contains(needle))
        .map_or("unknown browser", |(_, name)| name);
    let system = SYSTEMS
        .iter()
        .find(|(needle, _)| agent.contains(needle))
        .map_or("unknown system", |(_, name)| name);
    alloc::format!("{browser} on {system}")
}

#[cfg(test)]
mod tests;
