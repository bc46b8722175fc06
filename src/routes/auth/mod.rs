//! Logging in and out, personal API tokens.

pub mod api_tokens;
pub mod login_link;
pub mod methods;
pub mod sso;
