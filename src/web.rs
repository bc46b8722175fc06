//! The web pages, embedded from `web/` at build time and served with the right headers:
//! HTML is never cached and carries a strict CSP; assets under `/static/<version>/` are cached
//! for a year, the version being a hash of their content.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/web_files.rs"));
}

/// No inline script or style, nothing from other hosts.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Marks an HTML answer with a 4xx/5xx status that is meant for a person (e.g. a refused
/// single sign-on), so the error handler leaves it as it is instead of a problem document.
pub struct RefusalPage;

pub struct Pages {
    /// Hash of all embedded files; part of every asset URL.
    pub version: String,
    files: HashMap<&'static str, Vec<u8>>,
}

impl Pages {
    pub fn load() -> Pages {
        let mut hasher = Sha256::new();
        for (name, bytes) in embedded::FILES {
            hasher.update(name.as_bytes());
            hasher.update(bytes);
        }
        let version = crate::domain::secret::hex(&hasher.finalize()[..6]);
        let files = embedded::FILES
            .iter()
            .map(|(name, bytes)| {
                // HTML links assets as /static/x; point them at the versioned path.
                let body = if name.ends_with(".html") || *name == "sw.js" {
                    String::from_utf8_lossy(bytes)
                        .replace("\"/static/", &format!("\"/static/{version}/"))
                        .replace("'/static/", &format!("'/static/{version}/"))
                        .into_bytes()
                } else {
                    bytes.to_vec()
                };
                (*name, body)
            })
            .collect();
        Pages { version, files }
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn page(pages: &Pages, name: &str) -> HttpResponse {
    match pages.get(name) {
        Some(body) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, content_type(name)))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
            .body(body.to_vec()),
        None => actix_web::ResponseError::error_response(&crate::error::ApiError::NotFound),
    }
}

async fn index(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "index.html")
}

async fn track_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "track.html")
}

async fn accessibility(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "tillganglighet.html")
}

/// The privacy text, with the configured retention rules rendered into it.
async fn privacy(
    pages: web::Data<Pages>,
    state: web::Data<crate::state::AppState>,
) -> HttpResponse {
    let name = "personuppgifter.html";
    let Some(body) = pages.get(name) else {
        return page(&pages, name);
    };
    let html = String::from_utf8_lossy(body)
        .replace(
            "<!--RETENTION-SV-->",
            &retention_list(&state.settings.retention, true),
        )
        .replace(
            "<!--RETENTION-EN-->",
            &retention_list(&state.settings.retention, false),
        );
    page(&pages, name).set_body(actix_web::body::BoxBody::new(html))
}

/// The rules as the privacy page states them.
fn retention_list(rules: &crate::domain::retention::RetentionRules, sv: bool) -> String {
    use crate::domain::retention::Keep;
    use crate::i18n::Lang;
    let esc = crate::mail::templates::escape_html;
    if rules.0.is_empty() {
        return if sv {
            "<p>Inga gallringsregler är inställda ännu: uppgifterna bevaras tills ett gallringsbeslut finns.</p>"
        } else {
            "<p>No retention rules are set yet: the data is kept until a retention decision exists.</p>"
        }
        .to_owned();
    }
    let lang = if sv { Lang::Sv } else { Lang::En };
    let mut out = String::from(if sv {
        "<p>Gällande regler per typ av händelse:</p><ul>"
    } else {
        "<p>The rules in force, per kind of event:</p><ul>"
    });
    for r in &rules.0 {
        let when = match (r.keep, sv) {
            (Keep::Always, true) => "bevaras (gallras inte)".to_owned(),
            (Keep::Always, false) => "kept (not removed)".to_owned(),
            (Keep::Months(_), true) => {
                format!("{} efter att ärendet avslutats", r.period_label(true))
            }
            (Keep::Months(_), false) => {
                format!("{} after the case is closed", r.period_label(false))
            }
        };
        let decision = if r.decision.is_empty() {
            String::new()
        } else {
            format!(" ({})", esc(&r.decision))
        };
        out.push_str(&format!(
            "<li>{}: {when}{decision}</li>",
            esc(r.kind.label(lang))
        ));
    }
    out.push_str("</ul>");
    out
}

// The staff pages. The case page is one shell for every id: its script reads the id from the
// address and asks the API, which decides (404) whether the caller may see the case.
async fn login_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "login.html")
}

async fn cases_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "cases.html")
}

async fn case_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "case.html")
}

// The finance desk, and a case's money as finance sees it (the cost view only): shells like
// the case page, whose scripts ask the API what the caller may see.
async fn finance_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "ekonomi.html")
}

async fn finance_case_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "ekonomi-case.html")
}

// The yearly follow-up (one shell for every year; its script asks the API, which decides what
// the caller sees) and the open statistics (no login).
async fn followup_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "uppfoljning.html")
}

async fn statistics_page(pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, "statistik.html")
}

async fn root_file(req: HttpRequest, pages: web::Data<Pages>) -> HttpResponse {
    page(&pages, req.path().trim_start_matches('/'))
}

async fn asset(pages: web::Data<Pages>, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, file) = path.into_inner();
    let name = format!("static/{file}");
    match pages.get(&name) {
        Some(body) => {
            // An old version's URL still gets today's file, but must not be cached for long.
            let cache = if version == pages.version {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, content_type(&name)))
                .insert_header((header::CACHE_CONTROL, cache))
                .body(body.to_vec())
        }
        None => actix_web::ResponseError::error_response(&crate::error::ApiError::NotFound),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/t/{code}", web::get().to(track_page))
        .route("/tillganglighet", web::get().to(accessibility))
        .route("/personuppgifter", web::get().to(privacy))
        .route("/login", web::get().to(login_page))
        .route("/cases", web::get().to(cases_page))
        .route("/cases/{id}", web::get().to(case_page))
        .route("/ekonomi", web::get().to(finance_page))
        .route("/ekonomi/cases/{id}", web::get().to(finance_case_page))
        .route("/uppfoljning", web::get().to(followup_page))
        .route("/uppfoljning/{year}", web::get().to(followup_page))
        .route("/statistik", web::get().to(statistics_page))
        .route("/sw.js", web::get().to(root_file))
        .route("/manifest.webmanifest", web::get().to(root_file))
        .route("/static/{version}/{file:.*}", web::get().to(asset));
}
