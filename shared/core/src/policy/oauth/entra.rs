//! Microsoft Entra ID's issuer rules, for the `microsoft` provider.
//!
//! A single-tenant app's discovery document names one issuer,
//! `https://login.microsoftonline.com/{tenant GUID}/v2.0`, and ID tokens carry exactly
//! it. The multi-tenant endpoints (`common`, `organizations`) publish a *template*,
//! `https://login.microsoftonline.com/{tenantid}/v2.0`, because each token comes from
//! the user's own tenant: the token's `iss` must then be the template with `{tenantid}`
//! replaced by the token's own `tid` claim, which must be a GUID
//! ([`token_issuer_matches`]). `organizations` excludes personal Microsoft accounts,
//! whose tokens come from one fixed tenant ([`CONSUMERS_TENANT`]); `consumers` has only
//! that tenant and a fixed issuer.
//!
//! Security considerations: without the `tid` rule any Entra tenant — including one an
//! attacker creates — could issue tokens a template check would accept with a made-up
//! issuer; with it, `iss` and `tid` must agree and the signature (Microsoft's common
//! keys) binds both. Which tenants may sign in is the app's registration's business
//! (single- or multi-tenant), as with every Entra app.

use alloc::string::String;

use crate::config::oauth::MICROSOFT_LOGIN;

/// The template placeholder Entra's multi-tenant metadata uses.
pub const TENANT_PLACEHOLDER: &str = "{tenantid}";
/// The tenant of personal Microsoft accounts.
pub const CONSUMERS_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Whether `text` is a GUID in its canonical 8-4-4-4-12 lower-case hex form.
pub fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// Whether the discovered `issuer` is one the configured `tenant` may publish: the
/// template for `common` and `organizations`; the consumers tenant's issuer for
/// `consumers`; exactly the tenant's own issuer for a tenant GUID; some tenant's
/// issuer for a tenant named by domain (its GUID is not known beforehand).
pub fn discovered_issuer_allowed(tenant: &str, issuer: &str) -> bool {
    let Some(middle) = issuer
        .strip_prefix(MICROSOFT_LOGIN)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.strip_suffix("/v2.0"))
    else {
        return false;
    };
    match tenant {
        "common" | "organizations" => middle == TENANT_PLACEHOLDER,
        "consumers" => middle == CONSUMERS_TENANT,
        guid if is_guid(guid) => middle == guid,
        _ => is_guid(middle),
    }
}

/// Whether an ID token's `iss` (and `tid`) match the discovered `issuer`: exactly, or
/// for a template the template filled with the token's GUID `tid`; `organizations`
/// refuses the consumers tenant.
pub fn token_issuer_matches(tenant: &str, issuer: &str, iss: &str, tid: Option<&str>) -> bool {
    if !issuer.contains(TENANT_PLACEHOLDER) {
        return iss == issuer && tid.is_none_or(|tid| iss.contains(tid));
    }
    let Some(tid) = tid.filter(|tid| is_guid(tid)) else {
        return false;
    };
    if tenant == "organizations" && tid == CONSUMERS_TENANT {
        return false;
    }
    let expected: String = issuer.replace(TENANT_PLACEHOLDER, tid);
    iss == expected
}

#[cfg(test)]
mod tests;
