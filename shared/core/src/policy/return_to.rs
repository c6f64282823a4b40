//! Where a sign-in may send the browser afterwards: the `return_to` query parameter
//! of the hosted pages (docs/contract.md §10), checked against `RETURN_TO_PATHS`.
//!
//! Security considerations: an open redirect turns a trusted sign-in page into a
//! phishing relay, so the rule is an allowlist of same-origin paths, checked on the
//! value as the browser would use it. The page receives only the value this function
//! returns (or nothing), and navigates to it as a path of its own origin.
//! - Refused: anything that is not a plain absolute path — a scheme (`https:`,
//!   `javascript:`), a network-path reference (`//host`, `/\host`; browsers read
//!   backslashes as slashes), a backslash anywhere, a percent sign after the one
//!   decoding of the query string (so no encoded `/`, `\`, `.` or second decoding can
//!   change the meaning later), dot segments (`/account/../evil` would leave the
//!   prefix after resolution), empty segments, whitespace, control and non-ASCII
//!   characters, a fragment, more than 512 bytes.
//! - Allowed: such a path under an allowed prefix, optionally with a query of the
//!   same plain characters (`/example/report?week=3`).

use alloc::string::String;

use crate::config::pages::is_plain_path;

/// The path (and query) to return to, or `None` when `candidate` is not allowed.
/// `candidate` is the decoded `return_to` query value.
pub fn validate(candidate: &str, allowed: &[String]) -> Option<String> {
    if candidate.len() > 512 {
        return None;
    }
    let (path, query) = match candidate.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (candidate, None),
    };
    if !is_plain_path(path) {
        return None;
    }
    if let Some(query) = query {
        // RFC 3986 query: pchar / "/" / "?"; still no `%`, `\` or `#`.
        if !query
            .bytes()
            .all(|b| crate::config::pages::is_path_byte(b) || b == b'?')
        {
            return None;
        }
    }
    allowed
        .iter()
        .any(|prefix| is_under(path, prefix))
        .then(|| String::from(candidate))
}

/// Whether `path` is `prefix` or below it (see `PagesConfig::return_to_paths`).
fn is_under(path: &str, prefix: &str) -> bool {
    if prefix.ends_with('/') {
        return path.starts_with(prefix);
    }
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests;
