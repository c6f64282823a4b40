//! The client's address: read from `CLIENT_IP_HEADER`, coarsened for storage.
//!
//! Security considerations: the header is trusted only because the platform sets it
//! and a client cannot: Cloudflare overwrites `CF-Connecting-IP`; Spin adds
//! `spin-client-addr` from the accepted socket (the Spin adapter keeps only the
//! value the runtime set). A value that is not one address is ignored. Spin's
//! `ip:port` and `[v6]:port` forms are accepted (the port is dropped). Rate limits
//! key on the full IPv4 address or the IPv6 /64 (one subscriber's allocation);
//! audit events and session lists keep only an IPv4 /24 or IPv6 /48 prefix (data
//! minimisation).

use alloc::format;
use alloc::string::String;
use core::net::{IpAddr, SocketAddr};

/// Parses the client address from the header's value: `ip`, `ip:port` or
/// `[ipv6]:port` (what Spin's `spin-client-addr` holds). Lists, hostnames and
/// anything else are `None`.
pub fn parse_client_ip(value: &str) -> Option<IpAddr> {
    let value = value.trim();
    value
        .parse::<IpAddr>()
        .ok()
        .or_else(|| value.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .map(canonical)
}

/// An IPv4 client reached over an IPv6 socket shows as `::ffff:a.b.c.d`; count it
/// as the IPv4 address it is, so one client has one key whichever socket it used.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
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
