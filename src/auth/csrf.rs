//! Cross-site request forgery: a request authenticated by the session cookie that changes
//! something must come from our own pages. SameSite=Lax already keeps the cookie off most
//! cross-site requests; this check closes the rest (same-site subdomains, old browsers).
//! API tokens are not sent by browsers on their own, so bearer calls are not checked.

use actix_web::http::{header, Method};
use actix_web::HttpRequest;

use super::client;
use crate::config::Settings;
use crate::error::ApiError;
use crate::i18n::{self, Msg};

fn origin_of(url: &str) -> &str {
    // scheme://host[:port] — everything before the first '/' after "://".
    match url.find("://") {
        Some(i) => match url[i + 3..].find('/') {
            Some(j) => &url[..i + 3 + j],
            None => url,
        },
        None => url,
    }
}

/// Refuses an unsafe cross-site request. Browsers send `Sec-Fetch-Site` (all current ones)
/// or at least `Origin` on unsafe requests; a cookie request with neither is refused too.
pub fn check(req: &HttpRequest, settings: &Settings) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let same_origin = match (header("sec-fetch-site"), header(header::ORIGIN.as_str())) {
        (Some(site), _) => site == "same-origin",
        (None, Some(origin)) => {
            // The whole origin, scheme included: an http:// page must not post to the https://
            // site. The host the request names counts only as the client addressed it —
            // forwarded headers from anyone but a trusted proxy are the client's own words.
            let origin = origin.to_ascii_lowercase();
            origin == origin_of(&settings.base_url).to_ascii_lowercase()
                || client::origin(req, &settings.proxies).is_some_and(|here| origin == here)
        }
        (None, None) => false,
    };
    if same_origin {
        Ok(())
    } else {
        // The route template: a path may hold a tracking code, which is a credential.
        let route = req.match_pattern().unwrap_or_default();
        tracing::info!(%route, "denied: cross-site request with session cookie");
        Err(ApiError::Forbidden(
            i18n::current().t(Msg::CsrfForeignOrigin).to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://tillbud.karlskrona.se"),
            "https://tillbud.karlskrona.se"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/x/y"),
            "http://127.0.0.1:8080"
        );
    }
}
