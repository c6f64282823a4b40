//! A programmable stand-in for outbound HTTP: a test installs a handler that answers
//! every request (a fake provider), and reads back what was sent.

// Its programmable half is used by the social sign-in flow tests only, which need
// feature `password-policy` (`cargo test --workspace --all-features`).
#![cfg_attr(not(feature = "password-policy"), allow(dead_code))]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::outbound::{
    OutboundError, OutboundHttp, OutboundMethod, OutboundRequest, OutboundResponse,
};

/// One request as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sent {
    pub(crate) method: OutboundMethod,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

type Handler = Box<dyn Fn(&Sent) -> Result<OutboundResponse, OutboundError>>;

/// Answers with the installed handler (none: every request is denied).
#[derive(Default)]
pub(crate) struct FakeHttp {
    handler: RefCell<Option<Handler>>,
    sent: RefCell<Vec<Sent>>,
}

// Used by the sign-in provider tests only (`flows::oauth::tests`, feature `password-policy`).
#[cfg_attr(not(feature = "password-policy"), allow(dead_code))]
impl FakeHttp {
    /// Installs the handler that answers from now on.
    pub(crate) fn answer_with(
        &self,
        handler: impl Fn(&Sent) -> Result<OutboundResponse, OutboundError> + 'static,
    ) {
        self.handler.replace(Some(Box::new(handler)));
    }

    /// Every request sent so far.
    pub(crate) fn sent(&self) -> Vec<Sent> {
        self.sent.borrow().clone()
    }
}

/// A JSON answer.
#[cfg_attr(not(feature = "password-policy"), allow(dead_code))]
pub(crate) fn json(
    status: u16,
    value: &serde_json::Value,
) -> Result<OutboundResponse, OutboundError> {
    Ok(OutboundResponse {
        status,
        content_type: Some("application/json".into()),
        body: serde_json::to_vec(value).unwrap(),
    })
}

impl OutboundHttp for FakeHttp {
    async fn send(&self, request: &OutboundRequest<'_>) -> Result<OutboundResponse, OutboundError> {
        let sent = Sent {
            method: request.method,
            url: request.url.into(),
            headers: request
                .headers
                .iter()
                .map(|(name, value)| (String::from(*name), String::from(*value)))
                .collect(),
            body: request.body.map(<[u8]>::to_vec).unwrap_or_default(),
        };
        self.sent.borrow_mut().push(sent.clone());
        let handler = self.handler.borrow();
        let answer = match handler.as_ref() {
            Some(handler) => handler(&sent),
            None => Err(OutboundError::Denied),
        }?;
        if answer.body.len() > request.max_response_bytes {
            return Err(OutboundError::TooLarge);
        }
        Ok(answer)
    }
}
