//! `Cookie` header parsing (`http::cookies::get`): never panics, and a value found is
//! always a slice of the header (nothing invented, nothing decoded).
//! Input: `name\nheader` (without a newline: the whole input is the header).
#![no_main]
use edgeauth_core::http::cookies;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, header) = text.split_once('\n').unwrap_or(("__Host-access", &text));
    for name in [name, "__Host-access", "__Secure-refresh", "__Host-csrf"] {
        if let Some(value) = cookies::get(header, name) {
            assert!(header.contains(value));
        }
    }
});
