//! The municipality's OpenID Connect provider, as tillbud talks to it: discovery, keys, the
//! authorization URL, the code exchange and the ID token's verification, the logout URL.
//!
//! HTTP hygiene: one client that follows no redirects (a redirect to an internal address
//! would be server-side request forgery), with timeouts, over rustls. The discovery document
//! and the keys are cached; an ID token signed with a key id the cache does not know makes
//! one refresh of the keys, at most once a minute (a provider rotating its keys is served at
//! once; a flood of forged key ids costs one request a minute).

mod claims;

use std::time::Duration;

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    reqwest, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    JsonWebKeySet, Nonce, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout,
    RedirectUrl, RequestTokenError, Scope, SignatureVerificationError, StandardErrorResponse,
    StandardTokenResponse, TokenResponse,
};
use tokio::sync::Mutex;

use crate::config::oidc::OidcSettings;
pub use claims::ExtraClaims;

type Tokens = StandardTokenResponse<
    IdTokenFields<
        ExtraClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long the discovery document is trusted before it is read again.
const METADATA_TTL: chrono::Duration = chrono::Duration::hours(1);
/// The keys are refreshed for an unknown key id at most this often.
const KEY_REFRESH_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// Where to send the browser, and what the callback needs to finish (kept server-side).
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who the provider says logged in, from a verified ID token.
pub struct Identity {
    /// Lower-case.
    pub email: String,
    pub groups: Vec<String>,
    /// The raw ID token, for `id_token_hint` at logout. Never logged.
    pub id_token: String,
    pub subject: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// Discovery or the keys could not be read.
    #[error("provider metadata: {0}")]
    Discovery(String),
    /// The provider refused the code, or the exchange failed.
    #[error("code exchange: {0}")]
    Exchange(String),
    /// The ID token is missing or failed verification.
    #[error("ID token: {0}")]
    Token(String),
    /// The verified token has no usable e-mail in the configured claim.
    #[error("no usable e-mail in claim {0}")]
    NoEmail(String),
}

struct Cached {
    metadata: ProviderMetadataWithLogout,
    fetched_at: DateTime<Utc>,
    keys_fetched_at: DateTime<Utc>,
}

pub struct Provider {
    settings: OidcSettings,
    http: reqwest::Client,
    cache: Mutex<Option<Cached>>,
}

impl Provider {
    pub fn new(settings: OidcSettings) -> Result<Provider, OidcError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| OidcError::Discovery(format!("HTTP client: {e}")))?;
        Ok(Provider {
            settings,
            http,
            cache: Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// The cached discovery document (with keys), read again after an hour. When the
    /// provider cannot be reached, a document read earlier is used on.
    async fn metadata(&self, now: DateTime<Utc>) -> Result<ProviderMetadataWithLogout, OidcError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref() {
            if now - c.fetched_at < METADATA_TTL {
                return Ok(c.metadata.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Discovery(format!("issuer URL: {e}")))?;
        match ProviderMetadataWithLogout::discover_async(issuer, &self.http).await {
            Ok(metadata) => {
                *cache = Some(Cached {
                    metadata: metadata.clone(),
                    fetched_at: now,
                    keys_fetched_at: now,
                });
                Ok(metadata)
            }
            Err(e) => match cache.as_mut() {
                Some(c) => {
                    tracing::warn!(error = %e, "oidc: discovery failed; using the document read earlier");
                    // Ask again in a minute, not at every login while the provider is away.
                    c.fetched_at = now - METADATA_TTL + chrono::Duration::minutes(1);
                    Ok(c.metadata.clone())
                }
                None => Err(OidcError::Discovery(e.to_string())),
            },
        }
    }

    /// Reads the keys again, unless that was done less than a minute ago; true if it did.
    async fn refresh_keys(&self, now: DateTime<Utc>) -> bool {
        let mut cache = self.cache.lock().await;
        let Some(c) = cache.as_mut() else {
            return false;
        };
        if now - c.keys_fetched_at < KEY_REFRESH_EVERY {
            tracing::warn!("oidc: unknown key id, keys were refreshed less than a minute ago");
            return false;
        }
        c.keys_fetched_at = now;
        match JsonWebKeySet::fetch_async(c.metadata.jwks_uri(), &self.http).await {
            Ok(keys) => {
                c.metadata = c.metadata.clone().set_jwks(keys);
                tracing::info!("oidc: keys refreshed for an unknown key id");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "oidc: refreshing the keys failed");
                false
            }
        }
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> Result<OidcClient, OidcError> {
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| OidcError::Discovery(format!("redirect URL: {e}")))?;
        Ok(OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// A fresh authorization request: the provider's URL with `state`, `nonce` and a PKCE
    /// challenge (S256), and the secrets the callback needs.
    pub async fn authorize(&self, now: DateTime<Utc>) -> Result<Authorization, OidcError> {
        let client = self.client(self.metadata(now).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token: signature by
    /// the provider's keys, issuer, audience, expiry, nonce.
    pub async fn finish(
        &self,
        code: String,
        pkce_verifier: String,
        nonce: String,
        now: DateTime<Utc>,
    ) -> Result<Identity, OidcError> {
        let client = self.client(self.metadata(now).await?)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(describe_token_error(&e)))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::Token("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(nonce);
        let verified = {
            let verifier = client.id_token_verifier().set_time_fn(move || now);
            id_token.claims(&verifier, &nonce).cloned()
        };
        let claims = match verified {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) if self.refresh_keys(now).await => {
                let client = self.client(self.metadata(now).await?)?;
                let verifier = client.id_token_verifier().set_time_fn(move || now);
                id_token.claims(&verifier, &nonce).cloned()
            }
            other => other,
        }
        .map_err(|e| OidcError::Token(e.to_string()))?;
        let settings = &self.settings;
        let email = claims::email(&claims, &settings.email_claim)
            .ok_or_else(|| OidcError::NoEmail(settings.email_claim.clone()))?;
        let groups = settings
            .group_claim
            .as_deref()
            .map(|c| claims::groups(&claims, c))
            .unwrap_or_default();
        Ok(Identity {
            email,
            groups,
            id_token: id_token.to_string(),
            subject: claims.subject().to_string(),
        })
    }

    /// The provider's logout URL with `id_token_hint` and the post-logout redirect, when its
    /// discovery document names an `end_session_endpoint`.
    pub async fn end_session_url(&self, id_token: &str, now: DateTime<Utc>) -> Option<String> {
        let metadata = match self.metadata(now).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "oidc: no logout at the provider");
                return None;
            }
        };
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut url = endpoint.url().clone();
        url.query_pairs_mut()
            .append_pair("id_token_hint", id_token)
            .append_pair("post_logout_redirect_uri", &self.settings.post_logout_url)
            .append_pair("client_id", &self.settings.client_id);
        Some(url.to_string())
    }
}

/// What went wrong in the exchange, without the response body (it may hold tokens).
fn describe_token_error<E: std::error::Error>(
    e: &RequestTokenError<E, StandardErrorResponse<CoreErrorResponseType>>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => match r.error_description() {
            Some(d) => format!("{}: {d}", r.error()),
            None => r.error().to_string(),
        },
        RequestTokenError::Request(e) => format!("request failed: {e}"),
        RequestTokenError::Parse(e, _) => format!("unreadable answer at {}", e.path()),
        RequestTokenError::Other(s) => s.clone(),
    }
}
