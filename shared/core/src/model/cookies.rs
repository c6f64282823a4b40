//! The names and paths of the three session cookies (delivered by
//! [`crate::flows::sessions::delivery`], read by authentication, refresh and the CSRF
//! policy).
//!
//! Security considerations: the `__Host-`/`__Secure-` prefixes make browsers refuse
//! these cookies unless `Secure` (and, for `__Host-`, `Path=/` without `Domain`), so
//! a sibling subdomain cannot plant or shadow them; the refresh cookie is sent to the
//! session routes only.

/// The access-token cookie.
pub const ACCESS_COOKIE: &str = "__Host-access";
/// The refresh-token cookie.
pub const REFRESH_COOKIE: &str = "__Secure-refresh";
/// The CSRF cookie (readable by the page).
pub const CSRF_COOKIE: &str = "__Host-csrf";
/// Where the refresh cookie is sent: only the session routes.
pub const REFRESH_COOKIE_PATH: &str = "/auth/session";
