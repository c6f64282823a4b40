//! Writing HTML where every value that is not a literal of this crate is escaped.
//!
//! [`Html`] is the only way the hosted pages produce markup: [`Html::raw`] takes
//! `&'static str` only — markup written in the source — and every other value goes
//! through [`Html::text`], which escapes it for both element content and quoted
//! attribute values. A configured product name, a validated `return_to` path or a
//! provider's label can therefore never open a tag or leave an attribute.
//!
//! Security considerations: templates put dynamic values only in element content and
//! in double-quoted attribute values (never in unquoted attributes, `<script>`,
//! `<style>`, `on*` handlers or URL schemes); [`Html::color`] writes a parsed colour,
//! the one dynamic value allowed inside `<style>`. The CSP of the pages
//! (`policy::page_csp`) is the second line: no inline script runs without the
//! response's nonce.

use alloc::string::String;

use crate::config::Rgb;

/// Markup being written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// An empty document.
    pub fn new() -> Self {
        Self(String::with_capacity(4096))
    }

    /// Markup written in the source.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Text, escaped for element content and double-quoted attributes.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.0, text);
        self
    }

    /// A number.
    pub fn number(&mut self, value: u64) -> &mut Self {
        use core::fmt::Write as _;
        // Writing to a String cannot fail.
        let _ = write!(self.0, "{value}");
        self
    }

    /// A colour as `#rrggbb` (only hex digits: safe in CSS and attributes).
    pub fn color(&mut self, color: Rgb) -> &mut Self {
        self.0.push_str(&color.hex());
        self
    }

    /// The markup.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The markup so far.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `text` with `& < > " '` replaced by character references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests;
