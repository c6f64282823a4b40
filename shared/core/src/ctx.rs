//! The request context a flow runs in: the validated configuration, the isolate's
//! memory, the platform services, the request, and the effects the flow queues.
//!
//! [`Services`] is what an adapter provides (stores, clock, random, signature
//! verifier, outbound HTTP); [`Ctx`] is built once per request by [`crate::app::serve`] and handed to
//! every handler; [`Effects`] are what a flow asks the adapter to carry out (audit
//! events, mails), returned in the [`crate::app::Outcome`].
//!
//! Security considerations: flows reach time, randomness and storage only through
//! `ctx` (never ambiently), and an audit event gets its id, time, coarse address and
//! request id here, so a flow cannot forget them.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::config::Config;
use crate::crypto::rsa::Rs256Signer;
use crate::crypto::signature::SignatureVerifier;
use crate::encoding;
use crate::env::{Clock, Random};
use crate::error::ApiError;
use crate::http::Request;
use crate::memory::IsolateMemory;
use crate::model::audit::{AuditEvent, AuditKind};
use crate::model::mail::Mail;
use crate::outbound::OutboundHttp;
use crate::store::{AtomicStore, RecordStore};

/// The platform services a flow may use. `'static`: an implementation owns (or
/// borrows for the isolate's life) what it hands out, and route tables
/// ([`crate::app::route`]) are static data typed by it.
pub trait Services: 'static {
    /// Record storage.
    type Records: RecordStore;
    /// Atomic storage.
    type Atomic: AtomicStore;
    /// Time.
    type Clock: Clock;
    /// Randomness.
    type Random: Random;
    /// Signature checks, and RS256 signing for ID tokens: the platform's native
    /// implementation (WebCrypto on Workers) or the software one
    /// (`crate::crypto::signature`, `crate::crypto::rsa`).
    type Signatures: SignatureVerifier + Rs256Signer;
    /// Outbound HTTP (OpenID providers): `fetch` on Workers, Spin's outbound HTTP.
    type Http: OutboundHttp;
    /// Record storage.
    fn records(&self) -> &Self::Records;
    /// Atomic storage.
    fn atomic(&self) -> &Self::Atomic;
    /// Time.
    fn clock(&self) -> &Self::Clock;
    /// Randomness.
    fn random(&self) -> &Self::Random;
    /// Signature checks and RS256 signing.
    fn signatures(&self) -> &Self::Signatures;
    /// Outbound HTTP.
    fn http(&self) -> &Self::Http;
}

/// [`Services`] from their parts: what every runtime's adapter builds per request
/// (its stores, clock, random source, signature verifier and outbound HTTP client), so
/// that the trait is implemented once.
#[derive(Debug)]
pub struct Platform<R, A, C, N, V, H> {
    /// Record storage.
    pub records: R,
    /// Atomic storage.
    pub atomic: A,
    /// Time.
    pub clock: C,
    /// Randomness.
    pub random: N,
    /// Signature checks.
    pub signatures: V,
    /// Outbound HTTP.
    pub http: H,
}

impl<R, A, C, N, V, H> Services for Platform<R, A, C, N, V, H>
where
    R: RecordStore + 'static,
    A: AtomicStore + 'static,
    C: Clock + 'static,
    N: Random + 'static,
    V: SignatureVerifier + Rs256Signer + 'static,
    H: OutboundHttp + 'static,
{
    type Records = R;
    type Atomic = A;
    type Clock = C;
    type Random = N;
    type Signatures = V;
    type Http = H;
    fn records(&self) -> &R {
        &self.records
    }
    fn atomic(&self) -> &A {
        &self.atomic
    }
    fn clock(&self) -> &C {
        &self.clock
    }
    fn random(&self) -> &N {
        &self.random
    }
    fn signatures(&self) -> &V {
        &self.signatures
    }
    fn http(&self) -> &H {
        &self.http
    }
}

/// Effects a flow asks the adapter to carry out.
#[derive(Debug, Default)]
pub struct Effects {
    /// Audit events to persist (each may raise a security alert,
    /// [`crate::policy::alerts`]).
    pub audit: Vec<AuditEvent>,
    /// Mails to send.
    pub mails: Vec<Mail>,
    /// Time spent hashing passwords ([`Ctx::timed_hash`]), when any.
    pub hash_ms: Option<u64>,
    /// Retry the webhook deliveries that are due, after the response
    /// (`POST /api/admin/webhooks/retry`).
    pub retry_webhooks: bool,
}

/// Everything a handler needs for one request.
#[derive(Debug)]
pub struct Ctx<'a, S: Services> {
    /// The validated configuration.
    pub config: &'a Config,
    /// What this isolate remembers between requests.
    pub memory: &'a IsolateMemory,
    /// Platform services.
    pub services: &'a S,
    /// The request.
    pub request: &'a Request,
    /// This request's id.
    pub request_id: &'a str,
    /// The time the request started (Unix ms).
    pub now_ms: u64,
    effects: RefCell<Effects>,
}

impl<'a, S: Services> Ctx<'a, S> {
    /// The context of one request (built by [`crate::app::serve`]).
    pub fn new(
        config: &'a Config,
        memory: &'a IsolateMemory,
        services: &'a S,
        request: &'a Request,
        request_id: &'a str,
        now_ms: u64,
    ) -> Self {
        Self {
            config,
            memory,
            services,
            request,
            request_id,
            now_ms,
            effects: RefCell::new(Effects::default()),
        }
    }

    /// The effects queued so far (the pipeline takes them once the handler is done).
    pub fn into_effects(self) -> Effects {
        self.effects.into_inner()
    }

    /// Queues a mail.
    pub fn send_mail(&self, mail: Mail) {
        self.effects.borrow_mut().mails.push(mail);
    }

    /// Runs a password hash (`hash`) and counts its time for the request line and the
    /// isolate's metrics.
    pub fn timed_hash<T>(&self, hash: impl FnOnce() -> T) -> T {
        let clock = self.services.clock();
        let started = clock.now_ms();
        let result = hash();
        let spent = clock.now_ms().saturating_sub(started);
        if let Ok(mut effects) = self.effects.try_borrow_mut() {
            effects.hash_ms = Some(effects.hash_ms.unwrap_or(0).saturating_add(spent));
        }
        result
    }

    /// Asks for the due webhook retries to run after the response.
    pub fn retry_webhooks(&self) {
        self.effects.borrow_mut().retry_webhooks = true;
    }

    /// Queues an audit event with the request's context filled in.
    pub fn audit(
        &self,
        event: AuditKind,
        actor_id: Option<&str>,
        subject_id: Option<&str>,
        detail: &[(&str, &str)],
    ) -> Result<(), ApiError> {
        let mut id = [0u8; 16];
        self.services.random().fill(&mut id)?;
        let user_agent = self
            .request
            .header("user-agent")
            .map(|ua| ua.chars().take(256).collect());
        self.effects.borrow_mut().audit.push(AuditEvent {
            id: encoding::hex(&id),
            at: encoding::rfc3339(self.now_ms),
            event,
            actor_id: actor_id.map(String::from),
            subject_id: subject_id.map(String::from),
            ip_prefix: self.client_ip().map(crate::policy::net::storage_prefix),
            user_agent,
            request_id: self.request_id.into(),
            detail: detail
                .iter()
                .map(|(k, v)| (String::from(*k), String::from(*v)))
                .collect(),
        });
        Ok(())
    }

    /// The client address from `CLIENT_IP_HEADER`, when present and well-formed.
    pub fn client_ip(&self) -> Option<core::net::IpAddr> {
        self.request
            .header(&self.config.client_ip_header)
            .and_then(crate::policy::net::parse_client_ip)
    }
}
