//! The hosted pages' static files, embedded in the wasm (`include_bytes!`) and served
//! under `/assets/`: the stylesheet and icon, the page scripts and the QR-code encoder
//! (`clients/pages/`), and the browser client (`clients/js/`, as `/assets/edgeauth/`).
//!
//! Why embedded rather than a platform's static hosting: Spin's file server is a
//! separate component fetched from outside the package registries, and the pages need
//! a server for their nonces anyway (docs/ARCHITECTURE.md, "Hosted pages"); the files
//! are small (the whole set is listed in docs/contract.md §10).
//!
//! Caching: `Cache-Control: no-cache` with a strong `ETag` (a hash of the bytes):
//! browsers keep the files but revalidate each use, and an unchanged file costs a
//! `304` without a body. The names carry no version (the client's modules import each
//! other by relative name), so a longer freshness lifetime could mix two deployments'
//! modules in one page.
//!
//! Security considerations: a fixed table, matched on the exact path — no file system,
//! no path joining, no traversal; each answer has its exact `Content-Type` and
//! `X-Content-Type-Options: nosniff` (from the security layer), so a script is never
//! sniffed as anything else, and the default `default-src 'none'` CSP of non-HTML
//! answers applies to the files themselves (an SVG opened directly runs nothing).

use alloc::string::String;

use crate::http::Response;

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its URL path (`/assets/…`).
    pub path: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

macro_rules! asset {
    ($path:literal, $type:expr, $file:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../", $file)),
        }
    };
}

/// Every file, by URL path.
pub const ASSETS: &[Asset] = &[
    asset!("/assets/pages.css", CSS, "clients/pages/pages.css"),
    asset!("/assets/icon.svg", SVG, "clients/pages/icon.svg"),
    asset!("/assets/pages/common.js", JS, "clients/pages/common.js"),
    asset!("/assets/pages/sign-in.js", JS, "clients/pages/sign-in.js"),
    asset!("/assets/pages/sign-up.js", JS, "clients/pages/sign-up.js"),
    asset!(
        "/assets/pages/verify-email.js",
        JS,
        "clients/pages/verify-email.js"
    ),
    asset!(
        "/assets/pages/forgot-password.js",
        JS,
        "clients/pages/forgot-password.js"
    ),
    asset!(
        "/assets/pages/reset-password.js",
        JS,
        "clients/pages/reset-password.js"
    ),
    asset!(
        "/assets/pages/security-alert.js",
        JS,
        "clients/pages/security-alert.js"
    ),
    asset!("/assets/pages/account.js", JS, "clients/pages/account.js"),
    asset!("/assets/pages/admin.js", JS, "clients/pages/admin.js"),
    asset!("/assets/pages/consent.js", JS, "clients/pages/consent.js"),
    asset!("/assets/pages/qr.js", JS, "clients/pages/qr.js"),
    asset!("/assets/pages/passkey.js", JS, "clients/pages/passkey.js"),
    asset!(
        "/assets/vendor/qrcode-generator.js",
        JS,
        "clients/pages/vendor/qrcode-generator.js"
    ),
    asset!("/assets/edgeauth/index.js", JS, "clients/js/index.js"),
    asset!(
        "/assets/edgeauth/src/client.js",
        JS,
        "clients/js/src/client.js"
    ),
    asset!(
        "/assets/edgeauth/src/cookies.js",
        JS,
        "clients/js/src/cookies.js"
    ),
    asset!(
        "/assets/edgeauth/src/errors.js",
        JS,
        "clients/js/src/errors.js"
    ),
    asset!(
        "/assets/edgeauth/src/passkeys.js",
        JS,
        "clients/js/src/passkeys.js"
    ),
    asset!(
        "/assets/edgeauth/src/refresh.js",
        JS,
        "clients/js/src/refresh.js"
    ),
    asset!(
        "/assets/edgeauth/src/session-events.js",
        JS,
        "clients/js/src/session-events.js"
    ),
    asset!(
        "/assets/edgeauth/src/transport.js",
        JS,
        "clients/js/src/transport.js"
    ),
];

/// The file at `path`, if there is one.
pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

/// A strong entity tag of `bytes`: 64-bit FNV-1a, quoted. Not a security check (the
/// bytes are public); it only has to change when a file does.
pub fn etag(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    alloc::format!("\"{hash:016x}\"")
}

/// Whether an `If-None-Match` value names `tag` (a list, `W/` prefixes, or `*`).
fn matches(if_none_match: &str, tag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

/// The answer for `asset`: `200` with the bytes, or `304` when the browser's copy
/// (`if_none_match`) is current.
pub fn respond(asset: &Asset, if_none_match: Option<&str>) -> Response {
    let tag = etag(asset.body);
    let mut response = if if_none_match.is_some_and(|value| matches(value, &tag)) {
        Response::empty(304)
    } else {
        let mut response = Response::empty(200);
        response.set_header("Content-Type", asset.content_type);
        response.body = asset.body.to_vec();
        response
    };
    response.set_header("ETag", &tag);
    response.set_header("Cache-Control", "no-cache");
    response
}

#[cfg(test)]
mod tests;
