//! Audit events after a flow returned them: where they are kept ([`log`]) and how
//! they are listed ([`query`]). The events themselves are values,
//! [`crate::model::audit`].

pub mod log;
pub mod query;
