//! The hosted pages' settings (docs/contract.md §10): `PRODUCT_NAME`, `BRAND_COLOR`,
//! `RETURN_TO_PATHS`.
//!
//! Security considerations:
//! - `PRODUCT_NAME` is free text an operator types; it reaches HTML only through the
//!   escaping writer of [`crate::http::html`], so it is checked here only for length
//!   and control characters (a newline in a `<title>` is a typo, not an attack).
//! - `BRAND_COLOR` is `#rgb` or `#rrggbb` and nothing else: it is written into a
//!   `<style>` element, so it must not be able to carry CSS syntax. The text colour on
//!   it is computed ([`Brand::foreground`]): black or white, whichever contrasts more,
//!   which is always at least 4.58:1 (WCAG AA for text is 4.5:1).
//! - `RETURN_TO_PATHS` lists the same-origin path prefixes a sign-in may return to
//!   (`policy::return_to` checks a request's `return_to` against them); each entry
//!   must itself be a plain path ([`is_plain_path`]), so a misconfigured `//host` or
//!   `https://…` entry refuses to boot rather than allowing an open redirect.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The hosted pages' settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagesConfig {
    /// `PRODUCT_NAME` (default `edgeauth`): shown in titles and headings.
    pub product_name: String,
    /// `BRAND_COLOR` (default `#2563eb`) and its readable text colour.
    pub brand: Brand,
    /// `RETURN_TO_PATHS` (default `/account,/admin`): path prefixes a sign-in may
    /// return to. An entry ending in `/` allows every path below it; any other entry
    /// allows the path itself and the paths below `entry/`.
    pub return_to_paths: Vec<String>,
}

/// A colour as red, green, blue bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rgb` or `#rrggbb` (case-insensitive); nothing else.
    pub fn parse_hex(text: &str) -> Option<Self> {
        let digits = text.strip_prefix('#')?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match digits.len() {
            3 => {
                let mut it = digits
                    .chars()
                    .map(|c| c.to_digit(16).map(|d| (d * 17) as u8));
                Some(Self(it.next()??, it.next()??, it.next()??))
            }
            6 => Some(Self(
                channel(digits.get(0..2)?)?,
                channel(digits.get(2..4)?)?,
                channel(digits.get(4..6)?)?,
            )),
            _ => None,
        }
    }

    /// `#rrggbb`, lower case.
    pub fn hex(&self) -> String {
        alloc::format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG 2.x definition, sRGB).
    pub fn luminance(&self) -> f64 {
        fn linear(channel: u8) -> f64 {
            let c = f64::from(channel) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                pow_2_4((c + 0.055) / 1.055)
            }
        }
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// The WCAG contrast ratio between two colours (1 to 21).
    pub fn contrast(&self, other: &Self) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a >= b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }
}

/// `x^2.4` for `x` in [0, 1] without `std`'s `powf`: `x^2 * (x^2)^(1/5)`, the fifth
/// root by Newton's method (converges in a few steps from 1 for this range).
fn pow_2_4(x: f64) -> f64 {
    let square = x * x;
    // Fifth root of `square` by Newton: r <- r - (r^5 - s) / (5 r^4).
    let mut root = if square > 0.0 { 1.0 } else { return 0.0 };
    for _ in 0..60 {
        let r4 = root * root * root * root;
        let next = root - (r4 * root - square) / (5.0 * r4);
        if (next - root).abs() < 1e-15 {
            root = next;
            break;
        }
        root = next;
    }
    square * root
}

/// The operator's colour and the text colour computed for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Brand {
    /// The brand colour (primary buttons, the header's accent).
    pub color: Rgb,
    /// Black or white, whichever contrasts more with `color`.
    pub foreground: Rgb,
}

impl Brand {
    /// The brand of `color`, with its readable text colour.
    pub fn new(color: Rgb) -> Self {
        let white = Rgb(255, 255, 255);
        let black = Rgb(0, 0, 0);
        let foreground = if color.contrast(&white) >= color.contrast(&black) {
            white
        } else {
            black
        };
        Self { color, foreground }
    }
}

/// The default brand colour: a blue with 5.2:1 against white text, and at least 3:1
/// against both themes' backgrounds (white, `#121212`), so its buttons stand out in
/// either (the config doctor warns about colours that do not).
pub const DEFAULT_BRAND_COLOR: Rgb = Rgb(0x25, 0x63, 0xeb);
/// The default product name.
pub const DEFAULT_PRODUCT_NAME: &str = "edgeauth";
/// The default return paths: the hosted account and admin pages.
pub const DEFAULT_RETURN_TO_PATHS: &[&str] = &["/account", "/admin"];
/// Longest product name accepted (characters).
pub const MAX_PRODUCT_NAME_CHARS: usize = 64;

/// Whether `path` is a plain absolute path of this origin: `/` then RFC 3986 path
/// characters (unreserved, sub-delims, `:`, `@`, `/`) only — no `//` or `/\` start
/// (a network-path reference), no backslash, no percent sign (no encoded form of any
/// of these), no empty, `.` or `..` segment before the end, no query or fragment,
/// ASCII only, at most 512 bytes.
pub fn is_plain_path(path: &str) -> bool {
    if path.is_empty() || path.len() > 512 || !path.starts_with('/') {
        return false;
    }
    if !path.bytes().all(is_path_byte) {
        return false;
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    segments.iter().enumerate().all(|(index, segment)| {
        // Only the last segment may be empty (a trailing slash, or `/` itself).
        (!segment.is_empty() || index == last) && *segment != "." && *segment != ".."
    })
}

/// RFC 3986 `pchar` without percent-encoding, plus `/`.
pub(crate) fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
        )
}

/// Why a pages variable was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PagesError {
    /// `PRODUCT_NAME`: empty after trimming, too long, or with control characters.
    ProductName,
    /// `BRAND_COLOR`: not `#rgb`/`#rrggbb`.
    BrandColor,
    /// `RETURN_TO_PATHS`: an entry that is not a plain path.
    ReturnToPaths,
}

/// Parses the three variables (each `None` when unset).
pub(crate) fn parse(
    product_name: Option<String>,
    brand_color: Option<String>,
    return_to_paths: Option<String>,
) -> Result<PagesConfig, PagesError> {
    let product_name = match product_name {
        None => DEFAULT_PRODUCT_NAME.to_string(),
        Some(name) => {
            let name = name.trim();
            if name.is_empty()
                || name.chars().count() > MAX_PRODUCT_NAME_CHARS
                || name.chars().any(char::is_control)
            {
                return Err(PagesError::ProductName);
            }
            name.to_string()
        }
    };
    let color = match brand_color {
        None => DEFAULT_BRAND_COLOR,
        Some(text) => Rgb::parse_hex(text.trim()).ok_or(PagesError::BrandColor)?,
    };
    let return_to_paths = match return_to_paths {
        None => DEFAULT_RETURN_TO_PATHS
            .iter()
            .map(|path| (*path).to_string())
            .collect(),
        Some(text) => {
            let mut paths = Vec::new();
            for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                if !is_plain_path(entry) {
                    return Err(PagesError::ReturnToPaths);
                }
                paths.push(entry.to_string());
            }
            paths
        }
    };
    Ok(PagesConfig {
        product_name,
        brand: Brand::new(color),
        return_to_paths,
    })
}

impl Default for PagesConfig {
    fn default() -> Self {
        Self {
            product_name: DEFAULT_PRODUCT_NAME.to_string(),
            brand: Brand::new(DEFAULT_BRAND_COLOR),
            return_to_paths: DEFAULT_RETURN_TO_PATHS
                .iter()
                .map(|path| (*path).to_string())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
