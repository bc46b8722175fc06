//! Logging in and out, and personal API tokens: the writes behind them. Cookies, CSRF and
//! rate limits stay in `auth/` and the handlers.

pub mod api_tokens;
pub mod demo_login;
pub mod login_link;
pub mod session;
pub mod sso_callback;
pub mod sso_logout;
pub mod sso_start;
