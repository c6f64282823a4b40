//! The provider's own HTML: the error page of an authorization request that cannot be
//! answered by redirect, and the pages of RP-initiated logout.
//!
//! Security considerations: these pages run no script and load only the pages'
//! stylesheet and icon ([`CSP`]); every text is fixed by the code — nothing from the
//! request is written into them — and they contain no link to a client's URI, so an
//! invalid request can never be turned into a redirect or a phishing link.

use alloc::string::String;

use crate::config::Config;
use crate::http::html::Html;
use crate::http::Response;

/// The pages' policy: no script at all, the same-origin stylesheet and icon.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'none'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/// Why an authorization request was answered with the error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// No client, an unknown or disabled one, or a repeated `client_id`.
    UnknownClient,
    /// No redirect URI, or one the client did not register.
    BadRedirectUri,
    /// The query string is not well-formed.
    Malformed,
    /// The request waiting for sign-in or consent expired or was decided.
    Expired,
    /// A logout request names a redirect URI the client did not register.
    BadLogoutRedirect,
}

impl Problem {
    fn text(self) -> &'static str {
        match self {
            Self::UnknownClient => {
                "The application that sent you here is not registered, or it has been disabled."
            }
            Self::BadRedirectUri => {
                "The application asked to send you back to an address it has not registered. \
                 For your safety you were not sent there."
            }
            Self::Malformed => "The request is not well-formed.",
            Self::Expired => {
                "This sign-in request has expired or was already answered. Go back to the \
                 application and start again."
            }
            Self::BadLogoutRedirect => {
                "The application asked to send you to an address it has not registered. For \
                 your safety you were not sent there."
            }
        }
    }
}

fn document(config: &Config, title: &'static str, body: impl FnOnce(&mut Html)) -> String {
    let mut html = Html::new();
    html.raw(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>",
    )
    .raw(title)
    .raw(" · ")
    .text(&config.pages.product_name)
    .raw(
        "</title>\n<link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"/assets/pages.css\">\n</head>\n<body>\n\
         <header class=\"bar\">\n<span class=\"product\">",
    )
    .text(&config.pages.product_name)
    .raw("</span>\n</header>\n<main id=\"main\">\n<h1>")
    .raw(title)
    .raw("</h1>\n");
    body(&mut html);
    html.raw("</main>\n</body>\n</html>\n");
    html.into_string()
}

fn respond(status: u16, body: String) -> Response {
    let mut response = Response::empty(status);
    response.set_header("Content-Type", "text/html; charset=utf-8");
    response.set_header("Content-Security-Policy", CSP);
    response.body = body.into_bytes();
    response
}

/// The error page (`400`) of an authorization or logout request that cannot be
/// answered by redirect.
pub fn error(config: &Config, problem: Problem) -> Response {
    let body = document(config, "This request cannot be completed", |html| {
        html.raw("<p class=\"error\" role=\"alert\" data-problem=\"")
            .raw(match problem {
                Problem::UnknownClient => "unknown_client",
                Problem::BadRedirectUri => "bad_redirect_uri",
                Problem::Malformed => "malformed",
                Problem::Expired => "expired",
                Problem::BadLogoutRedirect => "bad_logout_redirect",
            })
            .raw("\">")
            .raw(problem.text())
            .raw("</p>\n<p class=\"links\"><a href=\"/account\">Go to your account</a></p>\n");
    });
    respond(400, body)
}

/// The page after an RP-initiated logout without a redirect: signed out, or — without
/// a valid `id_token_hint` — a pointer to the account page, where signing out needs
/// the user's own click.
pub fn logout(config: &Config, signed_out: bool) -> Response {
    let body = if signed_out {
        document(config, "You are signed out", |html| {
            html.raw(
                "<p role=\"status\" data-signed-out=\"true\">You have been signed out.</p>\n\
                 <p class=\"links\"><a href=\"/sign-in\">Sign in again</a></p>\n",
            );
        })
    } else {
        document(config, "Sign out", |html| {
            html.raw(
                "<p role=\"status\" data-signed-out=\"false\">To sign out, use your account \
                 page.</p>\n<p class=\"links\"><a href=\"/account\">Go to your account</a></p>\n",
            );
        })
    };
    respond(200, body)
}
