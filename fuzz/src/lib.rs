//! Shared harness for the fuzz targets: an in-memory [`Services`], configurations
//! built from variable maps, and the invariants every response must keep.
//!
//! The targets themselves stay ~10 lines each; what they assert lives here so that the
//! same checks apply to every function the pipeline target drives.

use std::collections::BTreeMap;
use std::rc::Rc;

use edgeauth_core::env::fake::{FakeClock, SeededRandom};
use edgeauth_core::policy::security_headers::SECURITY_HEADERS;
use edgeauth_core::store::memory::MemoryStore;
use edgeauth_core::{Config, Response, Services, Vars};

/// Variables as a plain map (what an adapter's environment looks like).
#[derive(Debug, Default, Clone)]
pub struct MapVars(pub BTreeMap<String, String>);

impl Vars for MapVars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Every §8 variable name (and the tuning knobs), so fuzz bytes pick real names:
/// the core's own list, so the fuzzer never drifts from the parser.
pub const VARIABLE_NAMES: &[&str] = edgeauth_core::config::VARIABLES;

/// Variables from `NAME=value` lines (the shape of a `.env` file), so seeds are
/// readable; a line `#N=value` names the N-th of [`VARIABLE_NAMES`], which lets the
/// fuzzer reach every real name by mutating a digit.
pub fn vars_from(text: &str) -> MapVars {
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = match name.strip_prefix('#').and_then(|n| n.parse::<usize>().ok()) {
            Some(index) => VARIABLE_NAMES[index % VARIABLE_NAMES.len()].to_string(),
            None => name.to_string(),
        };
        map.insert(name, value.to_string());
    }
    MapVars(map)
}

/// The local development configuration (built-in, clearly marked development keys).
pub fn development_config() -> Config {
    let mut map = BTreeMap::new();
    map.insert("ENVIRONMENT".into(), "development".into());
    map.insert("PUBLIC_ORIGIN".into(), "http://127.0.0.1:8787".into());
    map.insert("ALLOWED_ORIGINS".into(), "https://app.example.com".into());
    // The cheapest argon2 setting the parser accepts keeps executions fast.
    map.insert("PASSWORD_HASH_MEMORY_KIB".into(), "7168".into());
    map.insert("PASSWORD_HASH_ITERATIONS".into(), "5".into());
    match Config::from_vars(&MapVars(map)) {
        Ok(config) => config,
        Err(error) => panic!("the fuzz development config is invalid: {error}"),
    }
}

/// In-memory services: one store for records and atomics, a fixed clock, seeded randomness.
#[derive(Debug)]
pub struct FuzzServices {
    store: MemoryStore<FakeClock>,
    clock: Rc<FakeClock>,
    random: SeededRandom,
}

impl FuzzServices {
    /// Fresh, empty services at a fixed time.
    pub fn new(seed: u64) -> Self {
        let clock = Rc::new(FakeClock::at(1_750_000_000_000));
        Self {
            store: MemoryStore::new(Rc::clone(&clock)),
            clock,
            random: SeededRandom::new(seed),
        }
    }
}

impl Services for FuzzServices {
    type Records = MemoryStore<FakeClock>;
    type Atomic = MemoryStore<FakeClock>;
    type Clock = FakeClock;
    type Random = SeededRandom;
    type Signatures = edgeauth_core::crypto::signature::SoftwareEd25519;
    // No outbound request leaves a fuzz run: a sign-in provider is never reached.
    type Http = edgeauth_core::outbound::NoOutbound;
    fn records(&self) -> &Self::Records {
        &self.store
    }
    fn atomic(&self) -> &Self::Atomic {
        &self.store
    }
    fn clock(&self) -> &Self::Clock {
        &self.clock
    }
    fn random(&self) -> &Self::Random {
        &self.random
    }
    fn signatures(&self) -> &Self::Signatures {
        &edgeauth_core::crypto::signature::SoftwareEd25519
    }
    fn http(&self) -> &Self::Http {
        &edgeauth_core::outbound::NoOutbound
    }
}

/// The problem body's fields we check.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub code: String,
    pub detail: Option<String>,
    pub request_id: String,
}

/// The §3 codes.
pub const PROBLEM_CODES: &[&str] = &[
    "invalid_request",
    "weak_password",
    "invalid_credentials",
    "invalid_mfa",
    "unauthenticated",
    "forbidden",
    "csrf_failed",
    "cors_rejected",
    "not_found",
    "method_not_allowed",
    "payload_too_large",
    "unsupported_media_type",
    "rate_limited",
    "internal",
    "unavailable",
    "reauthentication_required",
    "oauth_failed",
    "oauth_unavailable",
    "oauth_email_unverified",
    "oauth_account_exists",
];

/// Parses and checks a problem body against its response.
pub fn check_problem(response: &Response) -> ProblemBody {
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json"),
        "an error without a problem body"
    );
    let body: ProblemBody = match serde_json::from_slice(&response.body) {
        Ok(body) => body,
        Err(error) => panic!("problem body is not the contract's shape: {error}"),
    };
    assert_eq!(body.status, response.status);
    assert!(
        PROBLEM_CODES.contains(&body.code.as_str()),
        "unknown code {}",
        body.code
    );
    assert!(body.kind.ends_with(&body.code));
    if response.status == 405 {
        assert!(response.header("allow").is_some(), "405 without Allow");
    }
    if response.status == 429 {
        let retry: u64 = response
            .header("retry-after")
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
        assert!(retry >= 1, "429 without a valid Retry-After");
    }
    body
}

/// The invariants of docs/contract.md §2–§4 every response of the layer keeps. `head` says the
/// request was `HEAD`, whose responses carry the headers but no body.
pub fn check_layer_response(response: &Response, head: bool) {
    // Presence for all (a route may set a stricter value of its own), exact values
    // where the contract allows no variation.
    for (name, _) in SECURITY_HEADERS {
        assert!(response.header(name).is_some(), "{name} missing");
    }
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(response.header("x-frame-options"), Some("DENY"));
    assert_eq!(response.header("x-xss-protection"), Some("0"));
    assert!(
        response.header("cache-control").is_some(),
        "Cache-Control missing"
    );
    let id = response.header("x-request-id").unwrap_or_default();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "bad X-Request-Id"
    );
    assert_ne!(response.header("access-control-allow-origin"), Some("*"));
    if head {
        assert!(response.body.is_empty(), "HEAD response with a body");
    } else if response.status >= 400 {
        assert_eq!(check_problem(response).request_id, id);
    }
}

/// What a configuration accepted by the parser must satisfy.
pub fn check_config(config: &Config) {
    use edgeauth_core::config::{Environment, MailTransport};
    if config.environment != Environment::Development {
        for key in config
            .jwt_signing_keys
            .iter()
            .chain(config.data_encryption_keys.iter())
        {
            assert!(
                !key.id.starts_with("dev-"),
                "development key accepted outside development"
            );
        }
        assert!(config.public_origin.starts_with("https://"));
        if let MailTransport::Http { url, .. } = &config.mail_transport {
            assert!(url.starts_with("https://"));
        }
    }
    for origin in &config.allowed_origins {
        assert!(
            !origin.contains('*') && origin != "null",
            "wildcard origin accepted"
        );
    }
    assert!(
        config.password_hash.meets_minimums(),
        "weak argon2 parameters accepted"
    );
    assert!((8..=256).contains(&config.password_min_length));
    assert!((60..=3_600).contains(&config.sessions.access_ttl_secs));
}

/// A configuration error names a variable and never quotes a value.
pub fn check_config_error(error: &edgeauth_core::ConfigError) {
    let name = error.variable();
    assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
    let text = error.to_string();
    let templates = [
        format!("{name} is not set"),
        format!("{name} is malformed"),
        format!("{name} is not allowed in this environment"),
    ];
    assert!(templates.contains(&text), "unexpected error text: {text}");
}

/// Request body types as docs/contract.md §5 defines them, parsed the way the routes parse.
pub mod json_types {
    use edgeauth_core::http::body;
    use edgeauth_core::ApiError;
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Serialize};

    /// `POST /auth/login`.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Login {
        email: String,
        password: String,
        #[serde(default)]
        mode: Option<Mode>,
    }

    /// Delivery mode.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Mode {
        /// Cookies.
        Cookie,
        /// Tokens in the body.
        Token,
    }

    /// `POST /auth/register`.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Register {
        email: String,
        password: String,
    }

    /// `POST /auth/login/mfa`.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct MfaLogin {
        mfa_token: String,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        recovery_code: Option<String>,
    }

    /// `POST /auth/session/refresh` in token mode.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Refresh {
        refresh_token: String,
    }

    /// The only details a JSON parse failure may carry.
    pub const PARSE_DETAILS: &[&str] = &[
        "the body is not well-formed JSON",
        "the body has a missing, unknown or wrongly typed field",
        "the body could not be read",
    ];

    /// Parses `bytes` as `T`: accepted values round-trip, failures are fixed `400`s.
    pub fn check_parse<T: DeserializeOwned + Serialize + PartialEq + core::fmt::Debug>(
        bytes: &[u8],
    ) {
        match body::parse_json_bytes::<T>(bytes) {
            Ok(value) => {
                let again = serde_json::to_vec(&value).unwrap_or_default();
                let back: T = match body::parse_json_bytes(&again) {
                    Ok(back) => back,
                    Err(error) => panic!("accepted value does not round-trip: {error:?}"),
                };
                assert_eq!(value, back);
            }
            Err(ApiError::InvalidRequest(detail)) => assert!(PARSE_DETAILS.contains(&detail)),
            Err(other) => panic!("a parse failure must be 400 invalid_request, got {other:?}"),
        }
    }
}

/// `ApiError` values chosen by fuzz bytes.
pub mod errors {
    use edgeauth_core::error::Internal;
    use edgeauth_core::ApiError;

    const TEXTS: &[&str] = &[
        "email",
        "the password is too short",
        "kv timeout at shard users/1234",
        "JWT_SIGNING_KEYS is malformed",
        "",
        "\"quoted\" <html> \\ \u{0}",
    ];
    /// Method sets, as bits of `GET HEAD POST PUT PATCH DELETE OPTIONS`.
    const ALLOWS: &[u8] = &[0b0000001, 0b0000100, 0b0101001, 0];

    fn methods(bits: u8) -> edgeauth_core::http::Methods {
        use edgeauth_core::http::{Method, Methods};
        let order = [
            Method::Get,
            Method::Head,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
            Method::Options,
        ];
        order
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .fold(Methods::NONE, |set, (_, method)| set.with(*method))
    }

    /// One of the 15 variants, with a detail/cause/allow list picked by `text`.
    pub fn api_error(variant: u8, text: u8, retry_after_secs: u64) -> ApiError {
        let text_value = TEXTS[usize::from(text) % TEXTS.len()];
        match variant % 15 {
            0 => ApiError::InvalidRequest(text_value),
            1 => ApiError::WeakPassword(text_value),
            2 => ApiError::InvalidCredentials,
            3 => ApiError::InvalidMfa,
            4 => ApiError::Unauthenticated,
            5 => ApiError::Forbidden,
            6 => ApiError::CsrfFailed,
            7 => ApiError::CorsRejected,
            8 => ApiError::NotFound,
            9 => ApiError::MethodNotAllowed(methods(ALLOWS[usize::from(text) % ALLOWS.len()])),
            10 => ApiError::PayloadTooLarge,
            11 => ApiError::UnsupportedMediaType,
            12 => ApiError::RateLimited { retry_after_secs },
            13 => ApiError::Internal(Internal(text_value)),
            _ => ApiError::Unavailable(Internal(text_value)),
        }
    }
}

/// Requests for the whole pipeline, from a small text format so seeds stay readable:
///
/// ```text
/// POST https://127.0.0.1/auth/login?x=1
/// Content-Type: application/json
///
/// {"email":"a@example.com","password":"…"}
/// ```
pub mod pipeline {
    use edgeauth_core::app;
    use edgeauth_core::functions::{Api, Login, Refresh, Reset};
    use edgeauth_core::{Config, Method, Outcome, Request};

    use super::FuzzServices;

    /// A marker credential added to every request: it must never reach the log line.
    pub const SECRET_MARKER: &str = "Bearer fuzz-secret-marker-0123456789";

    /// Parses the text format; anything unparseable falls back to a harmless default
    /// for that part, so every input reaches the pipeline.
    pub fn request(data: &[u8]) -> Request {
        let split = data
            .windows(2)
            .position(|pair| pair == b"\n\n")
            .map(|at| (&data[..at], &data[at + 2..]))
            .unwrap_or((data, &[][..]));
        let (head, body) = split;
        let head = String::from_utf8_lossy(head);
        let mut lines = head.lines();
        let start = lines.next().unwrap_or_default();
        let (method, url) = start.split_once(' ').unwrap_or(("GET", start));
        let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
        let (authority, path_query) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()),
            None => (authority, None),
        };
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let mut headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
            .collect();
        headers.push(("Authorization".into(), SECRET_MARKER.into()));
        Request {
            method: Method::parse(method),
            scheme: scheme.to_string(),
            host: if host.is_empty() { "127.0.0.1" } else { host }.to_string(),
            port,
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body: body.to_vec(),
        }
    }

    /// Serves the request through the function that owns its path in production (the
    /// zone's routes), `api` for paths nobody owns; checks the log line.
    pub fn serve(config: &Config, data: &[u8]) -> (Request, Outcome) {
        let request = request(data);
        let services = FuzzServices::new(data.len() as u64 + 1);
        let memory = edgeauth_core::memory::IsolateMemory::new();
        let config = Ok(config);
        let path = request.path.as_str();
        let outcome = pollster::block_on(async {
            if path.starts_with("/auth/register") || path.starts_with("/auth/login") {
                app::serve::<Login, _>(config, &memory, &services, &request).await
            } else if path.starts_with("/auth/password") || path.starts_with("/auth/email") {
                app::serve::<Reset, _>(config, &memory, &services, &request).await
            } else if path.starts_with("/auth/") || path.starts_with("/.well-known/") {
                app::serve::<Refresh, _>(config, &memory, &services, &request).await
            } else {
                app::serve::<Api, _>(config, &memory, &services, &request).await
            }
        });
        let line = outcome.log.to_json();
        assert!(
            !line.contains("fuzz-secret-marker"),
            "a credential reached the log line"
        );
        assert_eq!(outcome.log.status, outcome.response.status);
        (request, outcome)
    }
}

/// Access tokens (`token::access`): one genuine token, and the property that nothing
/// but its own claims ever verifies.
pub mod jwt {
    use edgeauth_core::env::fake::SeededRandom;
    use edgeauth_core::policy::token::access::{issue, Grant};
    use edgeauth_core::Config;

    /// The fixed verification time (Unix ms) the genuine token is valid at.
    pub const NOW_MS: u64 = 1_750_000_000_000;
    /// The genuine token's user.
    pub const USER_ID: &str = "0123456789abcdef0123456789abcdef";
    /// The genuine token's session.
    pub const SESSION_ID: &str = "fedcba9876543210fedcba9876543210";

    /// A token signed with the development config's active key.
    pub fn genuine(config: &Config) -> String {
        let roles = ["user".to_string()];
        let grant = Grant {
            user_id: USER_ID,
            session_id: SESSION_ID,
            roles: &roles,
            session_ends_at_secs: NOW_MS / 1000 + 3_600,
        };
        match issue(config, &SeededRandom::new(7), NOW_MS, grant) {
            Ok(issued) => issued.token,
            Err(error) => panic!("cannot issue the genuine token: {error:?}"),
        }
    }

    /// The candidate token: the input as text, or (first byte 0) the genuine token with
    /// the rest of the input spliced in at a position chosen by the second byte, so the
    /// fuzzer explores near-valid tokens (one changed segment, a swapped header, …).
    pub fn candidate(genuine: &str, data: &[u8]) -> String {
        match data {
            [0, at, rest @ ..] => {
                let mut token = genuine.as_bytes().to_vec();
                let at = usize::from(*at) * token.len() / 256;
                let end = (at + rest.len().min(8)).min(token.len());
                token.splice(at..end, rest.iter().copied());
                String::from_utf8_lossy(&token).into_owned()
            }
            _ => String::from_utf8_lossy(data).into_owned(),
        }
    }
}
