//! `GET /ack/{token}` and `POST /ack/{token}`: the one-click acknowledgement from a mail.
//!
//! The GET only shows a page with a confirm button: mail scanners and link previews follow
//! links with GET, and must not acknowledge a case on a manager's behalf. The button POSTs
//! back to the same URL (a plain form: no script, within the page CSP). What acknowledging
//! does is `ops::cases::acknowledge`.

use crate::db::incidents;
use crate::domain::ack_token::{self, AckClaims, AckTokenError};
use crate::error::ApiError;
use crate::mail::templates::escape_html;
use crate::ops::cases::acknowledge::{self as ops, Acknowledged};
use crate::state::AppState;
use crate::web::{Pages, PAGE_CSP};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

fn page(
    status: StatusCode,
    pages: &Pages,
    title_sv: &str,
    body_sv: &str,
    body_en: &str,
) -> HttpResponse {
    let html = format!(
        "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <title>{title} – Tillbud</title>\n\
         <link rel=\"stylesheet\" href=\"/static/{v}/app.css\">\n</head>\n<body>\n\
         <main id=\"main\" class=\"wrap\">\n<h1>{title}</h1>\n{body_sv}\n<div lang=\"en\">\n{body_en}\n</div>\n</main>\n</body>\n</html>\n",
        title = escape_html(title_sv),
        v = pages.version,
    );
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .body(html)
}

fn bad_link(pages: &Pages, e: AckTokenError) -> HttpResponse {
    let (sv, en) = match e {
        AckTokenError::Expired => (
            "<p>Länken har gått ut. Öppna ärendet i tillbud för att bekräfta det.</p>",
            "<p>The link has expired. Open the case in tillbud to acknowledge it.</p>",
        ),
        AckTokenError::Invalid => (
            "<p>Länken är inte giltig. Kontrollera att hela länken kom med.</p>",
            "<p>The link is not valid. Check that the whole link was copied.</p>",
        ),
    };
    let status = match e {
        AckTokenError::Expired => StatusCode::GONE,
        AckTokenError::Invalid => StatusCode::NOT_FOUND,
    };
    page(status, pages, "Länken fungerar inte", sv, en)
}

fn verify(state: &AppState, token: &str) -> Result<AckClaims, AckTokenError> {
    ack_token::verify(state.mail.ack_secret(), token, state.clock.now())
}

/// Shows the case's title and unit and a confirm button; changes nothing.
pub async fn show(
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let claims = match verify(&state, &token) {
        Ok(c) => c,
        Err(e) => return Ok(bad_link(&pages, e)),
    };
    let id = claims.incident_id.to_string();
    let Some(case) = state
        .db
        .read(move |c| incidents::case_facts(c, &id))
        .await?
    else {
        return Ok(bad_link(&pages, AckTokenError::Invalid));
    };
    let what = format!(
        "<p><strong>{}</strong> – {}</p>",
        escape_html(&case.title),
        escape_html(&case.org_unit_name)
    );
    let action = format!("/ack/{}", escape_html(&token));
    let sv = format!(
        "{what}\n<form method=\"post\" action=\"{action}\">\n\
         <button type=\"submit\" class=\"button\">Jag har tagit emot ärendet / I have received this case</button>\n</form>"
    );
    Ok(page(
        StatusCode::OK,
        &pages,
        "Bekräfta ärendet",
        &sv,
        "<p>Press the button to confirm that you have received the case.</p>",
    ))
}

/// Acknowledges the case: status `acknowledged`, deadlines stopped, a history event.
pub async fn confirm(
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let claims = match verify(&state, &token) {
        Ok(c) => c,
        Err(e) => return Ok(bad_link(&pages, e)),
    };
    let outcome =
        ops::acknowledge_from_mail(&state.ops(), claims.incident_id, claims.mail_id).await?;
    Ok(match outcome {
        Acknowledged::Now => page(
            StatusCode::OK,
            &pages,
            "Tack – ärendet är bekräftat",
            "<p>Ärendet är markerat som mottaget. Den som rapporterade ser att det tagits emot.</p>",
            "<p>The case is marked as received. The reporter can see that it has been received.</p>",
        ),
        Acknowledged::Already => page(
            StatusCode::OK,
            &pages,
            "Ärendet är redan bekräftat",
            "<p>Någon har redan bekräftat ärendet. Du behöver inte göra något mer här.</p>",
            "<p>The case has already been acknowledged. Nothing more to do here.</p>",
        ),
        Acknowledged::Unknown => bad_link(&pages, AckTokenError::Invalid),
    })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/ack/{token}", web::get().to(show))
        .route("/ack/{token}", web::post().to(confirm));
}
