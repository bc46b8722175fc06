//! Log out of a session, and when it began with the municipal account, say where the
//! provider's logout is (`end_session_endpoint` with `id_token_hint`), so the browser ends the
//! provider's session too.

use crate::db::{sso, users, DbError};
use crate::oidc::Provider;
use crate::ops::Ctx;

/// Ends the session whose id hashes to `id_hash`; returns the provider's logout URL for an
/// SSO session when the provider has one.
pub async fn log_out(
    ctx: &Ctx,
    provider: Option<&Provider>,
    id_hash: String,
) -> Result<Option<String>, DbError> {
    let now = ctx.now.naive_utc();
    let id_token = ctx
        .db
        .write(move |c| {
            let found = sso::sso_session(c, &id_hash)?;
            users::revoke_session(c, &id_hash, now)?;
            // The ID token was kept only for this moment.
            sso::forget_sso_session(c, &id_hash)?;
            Ok(found.map(|(_, token)| token))
        })
        .await?;
    Ok(match (provider, id_token) {
        (Some(p), Some(token)) => p.end_session_url(&token, ctx.now).await,
        _ => None,
    })
}
