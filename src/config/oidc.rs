//! The single sign-on (OpenID Connect) settings: off unless `oidc_issuer` is set.

use std::time::Duration;

use super::ConfigError;
use crate::domain::sso::GroupRoles;

/// Single sign-on with an OpenID Connect provider.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    pub email_claim: String,
    pub group_claim: Option<String>,
    pub group_roles: GroupRoles,
    pub staff_mailed_link: bool,
    pub timeout: Duration,
    /// `{base_url}/auth/oidc/callback`, as registered at the provider.
    pub redirect_url: String,
    /// `{base_url}/login`, where the provider sends the browser after logout.
    pub post_logout_url: String,
}

// The secret stays out of logs and panics.
impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("email_claim", &self.email_claim)
            .field("group_claim", &self.group_claim)
            .finish_non_exhaustive()
    }
}

/// Reads the `oidc_*` settings: `None` when no issuer is set.
pub(super) fn parse(
    get: &dyn Fn(&str) -> String,
    bad: &dyn Fn(&str, String) -> ConfigError,
    base_url: &str,
) -> Result<Option<OidcSettings>, ConfigError> {
    let issuer = get("oidc_issuer").trim().to_owned();
    if issuer.is_empty() {
        return Ok(None);
    }
    if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
        return Err(bad(
            "oidc_issuer",
            format!("'{issuer}' is not an http(s) URL"),
        ));
    }
    let client_id = get("oidc_client_id").trim().to_owned();
    if client_id.is_empty() {
        return Err(bad(
            "oidc_client_id",
            "it is required with oidc_issuer".into(),
        ));
    }
    let secret = get("oidc_client_secret").trim().to_owned();
    let mut scopes: Vec<String> = get("oidc_scopes")
        .split_whitespace()
        .filter(|s| *s != "openid")
        .map(str::to_owned)
        .collect();
    scopes.dedup();
    let email_claim = get("oidc_email_claim").trim().to_owned();
    if email_claim.is_empty() {
        return Err(bad("oidc_email_claim", "name a claim, e.g. email".into()));
    }
    let group_claim = Some(get("oidc_group_claim").trim().to_owned()).filter(|c| !c.is_empty());
    let group_roles =
        GroupRoles::parse(&get("oidc_group_roles")).map_err(|why| bad("oidc_group_roles", why))?;
    if !group_roles.is_empty() && group_claim.is_none() {
        return Err(bad(
            "oidc_group_roles",
            "set oidc_group_claim too: the claim the groups come in".into(),
        ));
    }
    let staff_mailed_link = super::parse_bool(&get("oidc_staff_mailed_link"))
        .ok_or_else(|| bad("oidc_staff_mailed_link", "use true or false".into()))?;
    let timeout = {
        let v = get("oidc_timeout_secs");
        let n = v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=120).contains(n))
            .ok_or_else(|| {
                bad(
                    "oidc_timeout_secs",
                    format!("'{v}' is not a number from 1 to 120"),
                )
            })?;
        Duration::from_secs(n)
    };
    Ok(Some(OidcSettings {
        issuer,
        client_id,
        client_secret: Some(secret).filter(|s| !s.is_empty()),
        scopes,
        email_claim,
        group_claim,
        group_roles,
        staff_mailed_link,
        timeout,
        redirect_url: format!("{base_url}/auth/oidc/callback"),
        post_logout_url: format!("{base_url}/login"),
    }))
}
