//! The claims tillbud reads from a verified ID token: the e-mail (from the configured claim)
//! and the groups.

use std::collections::HashMap;

use openidconnect::core::CoreGenderClaim;
use openidconnect::{AdditionalClaims, IdTokenClaims};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Every claim beyond the standard ones (`upn`, `groups`, …), as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub other: HashMap<String, Value>,
}

impl AdditionalClaims for ExtraClaims {}

type Claims = IdTokenClaims<ExtraClaims, CoreGenderClaim>;

/// The e-mail in `claim`, lower-case, if it looks like one. An `email` the provider marks as
/// not verified is not taken: anyone could have typed it.
pub fn email(claims: &Claims, claim: &str) -> Option<String> {
    let raw = match claim {
        "email" => {
            if claims.email_verified() == Some(false) {
                return None;
            }
            claims.email().map(|e| e.as_str().to_owned())
        }
        "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_owned()),
        other => claims
            .additional_claims()
            .other
            .get(other)
            .and_then(Value::as_str)
            .map(str::to_owned),
    }?;
    crate::domain::Email::parse(raw.trim())
        .ok()
        .map(|e| e.as_str().to_lowercase())
}

/// The groups in `claim`: an array of strings, or one string. Anything else is none.
pub fn groups(claims: &Claims, claim: &str) -> Vec<String> {
    match claims.additional_claims().other.get(claim) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}
