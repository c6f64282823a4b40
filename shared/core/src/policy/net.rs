//! The client's address: read from `CLIENT_IP_HEADER`, coarsened for storage.
//!
//! Security considerations: the header is trusted only because the platform's edge
//! sets it (Cloudflare overwrites `CF-Connecting-IP`); a value that is not a single
//! IP address is ignored. Rate limits key on the full IPv4 address or the IPv6 /64
//! (one subscriber's allocation); audit events and session lists keep only an IPv4
//! /24 or IPv6 /48 prefix (data minimisation).

use alloc::format;
use alloc::string::String;
use core::net::IpAddr;

/// Parses the client address from the header's value.
pub fn parse_client_ip(value: &str) -> Option<IpAddr> {
    value.trim().parse().ok()
}

/// The rate-limit key for an address: IPv4 as is, IPv6 by /64.
pub fn rate_limit_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("{v4}"),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The stored prefix for an address: IPv4 /24, IPv6 /48.
pub fn storage_prefix(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

#[cfg(test)]
mod tests;
