//! What every handler may use, built once by `startup` and shared by all workers.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::rate_limit::RateLimiter;
use crate::mail::MailContext;
use crate::ops;

/// What every handler may use.
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<Clock>,
    pub mail: Arc<MailContext>,
    /// Login-link requests per e-mail and client address.
    pub login_limiter: Arc<RateLimiter>,
    /// Reports per client and reporter address, per hour.
    pub report_limiter: Arc<RateLimiter>,
    /// Bounds on photo uploads: concurrent decodes, decode size, uploads per case.
    pub photos: Arc<crate::ops::photos::PhotoIntake>,
    /// The Prometheus registry of this instance (`GET /metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The municipality's OpenID Connect provider, when single sign-on is configured.
    pub oidc: Option<Arc<crate::oidc::Provider>>,
}

impl AppState {
    /// What a use case needs, with the time of this request.
    pub fn ops(&self) -> ops::Ctx {
        ops::Ctx {
            db: self.db.clone(),
            mail: self.mail.clone(),
            now: self.clock.now(),
        }
    }
}
