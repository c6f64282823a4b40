//! The Content Security Policy of the hosted pages' HTML (docs/contract.md §10), with
//! a fresh nonce per response.
//!
//! Security considerations, directive by directive:
//! - `default-src 'none'`: nothing loads unless a directive below allows it; no
//!   fonts, frames, media, workers or manifests, and so no third-party origin.
//! - `script-src 'nonce-…'`: only the `<script>` elements this response wrote run
//!   (and the modules they import, which inherit the nonce). No `'self'`, no
//!   `'unsafe-inline'`, no `'unsafe-eval'`: an injected `<script src=/assets/…>` or
//!   inline script does not run, and `eval`/`new Function`/string timers throw.
//! - `style-src 'self' 'nonce-…'`: the stylesheet under `/assets/` and the one
//!   `<style>` carrying the configured brand colour; no `style` attributes.
//! - `img-src 'self'`, `connect-src 'self'`: the icon, and the JSON API of this origin.
//! - `form-action 'self'`, `base-uri 'none'`, `object-src 'none'`,
//!   `frame-ancestors 'none'`: no form posts elsewhere, no `<base>` hijack, no plugins,
//!   no framing (clickjacking).
//! - `require-trusted-types-for 'script'; trusted-types 'none'`: DOM XSS sinks
//!   (`innerHTML`, `insertAdjacentHTML`, `document.write`, script `src` assignment, …)
//!   refuse strings, and no policy may be created to feed them: the pages' scripts
//!   build the DOM with `createElement` and `textContent` only.

use alloc::format;
use alloc::string::String;

/// The policy for one HTML response. `nonce` is base64url (`[A-Za-z0-9_-]`).
pub fn for_page(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
         object-src 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; \
         trusted-types 'none'"
    )
}

#[cfg(test)]
mod tests;
