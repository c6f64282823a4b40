//! The abuse checks of `POST /auth/login`, in one value the login flow holds while it
//! checks a password.
//!
//! [`LoginGuard::begin`] runs, in this order, before any account lookup or hash:
//! 1. the per-address login limit ([`crate::flows::ratelimit::check_ip`], `RATE_LIMIT_LOGIN_PER_IP`);
//! 2. the isolate's hashing gate ([`crate::memory::hashing`]);
//! 3. the per-email lockout admission ([`super::admit`]) — for every syntactically
//!    valid address, whether or not an account exists.
//!
//! The flow then reports the outcome exactly once: [`LoginGuard::failed`] for a wrong
//! password, an unknown address, or an account that may not sign in (disabled,
//! unverified — counted like a wrong password, or the lockout would tell a correct
//! password from a wrong one); [`LoginGuard::succeeded`] when the password was right
//! and the account may continue (which answers `429` if a lock landed meanwhile).
//!
//! Each of these answers `429 rate_limited` with `Retry-After` and the same body
//! whatever the address. An address that is not valid syntax skips step 3: it has no
//! account and no lockout state, and the answer (`401`) is the one every unknown
//! address gets.

use alloc::string::String;

use super::{admit, Account, Attempt};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::ratelimit::{self, HashPermit, Scope};
use crate::model::email;
use crate::model::user::UserRecord;

/// The checks a login passed, held until its password check is decided.
#[derive(Debug)]
#[must_use = "report the outcome with `failed` or `succeeded`"]
pub struct LoginGuard<'a> {
    hashing: Option<HashPermit<'a>>,
    attempt: Option<Attempt>,
    address: Option<String>,
}

impl<'a> LoginGuard<'a> {
    /// Runs the per-address limit, the hashing gate and the lockout admission for a
    /// login with `typed_email`.
    pub async fn begin<S: Services>(ctx: &Ctx<'a, S>, typed_email: &str) -> Result<Self, ApiError> {
        ratelimit::check_ip(ctx, Scope::Login).await?;
        let hashing = ctx.memory.hashing.admit()?;
        let address = email::normalize(typed_email).ok();
        let attempt = match &address {
            Some(address) => Some(admit(ctx, &email::email_index(ctx.config, address)).await?),
            None => None,
        };
        Ok(Self {
            hashing: Some(hashing),
            attempt,
            address,
        })
    }

    /// The password check failed (or the account may not sign in). `user` is the
    /// account behind the address, if any: it gets the notice mail should this
    /// failure lock the address.
    pub async fn failed<S: Services>(
        mut self,
        ctx: &Ctx<'_, S>,
        user: Option<&UserRecord>,
    ) -> Result<(), ApiError> {
        self.hashing = None;
        let (Some(attempt), Some(address)) = (self.attempt.take(), self.address.as_deref()) else {
            return Ok(());
        };
        let account = user.map(|user| Account {
            user_id: &user.id,
            address,
        });
        attempt.failed(ctx, account).await?;
        Ok(())
    }

    /// The password was right and the account may continue: the attempt is refunded.
    /// `429` when the address was locked while the password was being checked.
    pub async fn succeeded<S: Services>(mut self, ctx: &Ctx<'_, S>) -> Result<(), ApiError> {
        self.hashing = None;
        match self.attempt.take() {
            Some(attempt) => attempt.succeeded(ctx).await,
            None => Ok(()),
        }
    }
}
