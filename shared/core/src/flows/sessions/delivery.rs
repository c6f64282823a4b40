//! Delivering a session's tokens in the two modes of docs/contract.md §4, and taking them away.
//!
//! The answer of login, MFA login and refresh is one shape:
//! `200 {"user":{id,email,roles}, "session_id", "access_expires_at"}` plus
//! - **token mode**: `access_token`, `token_type: "Bearer"`, `expires_in`,
//!   `refresh_token` in the body, and no cookies;
//! - **cookie mode**: no token in the body, and three cookies:
//!   - `__Host-access` = the access token; `HttpOnly; Secure; SameSite=Lax; Path=/`;
//!     `Max-Age` = the token's lifetime;
//!   - `__Secure-refresh` = the refresh token; `HttpOnly; Secure; SameSite=Strict;
//!     Path=/auth/session` (sent only to the session routes); `Max-Age` = until the
//!     session's idle/absolute end;
//!   - `__Host-csrf` = the session's CSRF token ([`crate::policy::csrf`]);
//!     `Secure; SameSite=Strict; Path=/`, readable by the page's script so it can
//!     echo it in `X-CSRF-Token`; same `Max-Age` as the refresh cookie.
//!
//! Logout clears all three (`Max-Age=0`, same name, path and attributes, so the
//! browser matches and drops them) and sends `Clear-Site-Data: "cookies", "storage"`.
//!
//! Security considerations: the `__Host-`/`__Secure-` prefixes make browsers refuse
//! these cookies unless `Secure` (and, for `__Host-`, `Path=/` without `Domain`), so
//! a sibling subdomain cannot plant or shadow them. `SameSite=Lax` on the access
//! cookie keeps top-level navigations signed in; the refresh and CSRF cookies are
//! `Strict`. Unsafe cookie-authenticated requests additionally need the CSRF header.

use alloc::string::String;
use serde::Serialize;

use super::create::Issued;
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::http::cookies::{SameSite, SetCookie};
use crate::http::Response;
use crate::model::session::Mode;
use crate::model::user::{UserRecord, UserSummary};
use crate::policy::csrf;

pub use crate::model::cookies::{ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE, REFRESH_COOKIE_PATH};
/// `Clear-Site-Data` value of logout.
pub const CLEAR_SITE_DATA: &str = "\"cookies\", \"storage\"";

#[derive(Serialize)]
struct SessionAnswer<'a> {
    user: &'a UserSummary,
    session_id: &'a str,
    access_expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

fn cookie<'a>(
    name: &'a str,
    value: &'a str,
    path: &'a str,
    http_only: bool,
    same_site: SameSite,
    max_age_secs: u64,
) -> String {
    SetCookie {
        name,
        value,
        path,
        http_only,
        same_site,
        max_age_secs: Some(max_age_secs),
    }
    .render()
}

/// The `200` answer delivering `issued` to `user` in `mode`.
pub fn respond<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    issued: &Issued,
    mode: Mode,
) -> Result<Response, ApiError> {
    let summary = UserSummary::of(ctx.config, user)?;
    let access = &issued.access;
    let token_mode = mode == Mode::Token;
    let answer = SessionAnswer {
        user: &summary,
        session_id: &issued.session.id,
        access_expires_at: encoding::rfc3339(access.expires_at_secs.saturating_mul(1000)),
        access_token: token_mode.then_some(access.token.as_str()),
        token_type: token_mode.then_some("Bearer"),
        expires_in: token_mode.then_some(access.expires_in_secs),
        refresh_token: token_mode.then(|| issued.refresh_token.encode()),
    };
    let mut response = Response::json(200, &answer);
    if mode == Mode::Cookie {
        let session_secs = issued
            .session
            .ends_at_ms(ctx.config)
            .saturating_sub(ctx.now_ms)
            / 1000;
        let refresh = issued.refresh_token.encode();
        let csrf_token = csrf::token_for(ctx.config, &issued.session.id);
        for set_cookie in [
            cookie(
                ACCESS_COOKIE,
                &access.token,
                "/",
                true,
                SameSite::Lax,
                access.expires_in_secs,
            ),
            cookie(
                REFRESH_COOKIE,
                &refresh,
                REFRESH_COOKIE_PATH,
                true,
                SameSite::Strict,
                session_secs,
            ),
            cookie(
                CSRF_COOKIE,
                &csrf_token,
                "/",
                false,
                SameSite::Strict,
                session_secs,
            ),
        ] {
            response.append_header("Set-Cookie", &set_cookie);
        }
    }
    Ok(response)
}

/// Adds `Set-Cookie` headers deleting all three session cookies.
pub fn clear_cookies(response: &mut Response) {
    for set_cookie in [
        cookie(ACCESS_COOKIE, "", "/", true, SameSite::Lax, 0),
        cookie(
            REFRESH_COOKIE,
            "",
            REFRESH_COOKIE_PATH,
            true,
            SameSite::Strict,
            0,
        ),
        cookie(CSRF_COOKIE, "", "/", false, SameSite::Strict, 0),
    ] {
        response.append_header("Set-Cookie", &set_cookie);
    }
}

/// The `204` of logout: cookies cleared and `Clear-Site-Data`.
pub fn logged_out() -> Response {
    let mut response = Response::empty(204);
    clear_cookies(&mut response);
    response.set_header("Clear-Site-Data", CLEAR_SITE_DATA);
    response
}
