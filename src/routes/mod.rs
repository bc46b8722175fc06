//! HTTP handlers, one file per operation, and the OpenAPI document they generate.

pub mod action_dto;
pub mod actions;
pub mod add_attachment;
pub mod admin;
pub mod auth;
pub mod auth_demo;
pub mod auth_session;
pub mod case_view;
pub mod cases;
pub mod cause_categories;
pub mod costs;
pub mod cursor;
pub mod etag;
pub mod get_attachment;
pub mod health;
pub mod idempotency;
pub mod input;
pub mod labels;
pub mod me;
pub mod metrics;
pub mod org_units;
pub mod reports;
pub mod responses;
pub mod statistics;

use actix_web::dev::ServiceRequest;
use actix_web::http::{header, StatusCode};
use actix_web::{web, App, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::error::{problem_response, ApiError, Problem};
use crate::i18n;
use crate::i18n::Msg;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tillbud",
        description = "Incident and near-miss reporting for a Swedish municipal group. \
                       Errors are RFC 9457 problem documents; texts are Swedish unless \
                       `Accept-Language` prefers English.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    tags(
        (name = "incidents", description = "Reporting and following events."),
        (name = "org", description = "The line organisation."),
        (name = "cases", description = "Case handling for staff: lists, the case, workflow, rating, legal duties, comments, history. Login required."),
        (name = "health", description = "Liveness and readiness."),
        (name = "auth", description = "Login links, sessions, API tokens, who am I."),
        (name = "actions", description = "Corrective actions (åtgärder) on cases: owner, due date, reminders."),
        (name = "costs", description = "Damage costs and recoveries per case (öre, SEK), insurance claims, trends and exports for finance. Login required."),
        (name = "statistics", description = "The yearly follow-up (login: coordinators, managers, finance) and the open statistics (no login; small counts suppressed)."),
        (name = "admin", description = "Operations: mail delivery, absences, users, case history. The operations token, or an administrator's login."),
    ),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// Declares the credentials operations refer to (see [`declare_security`]).
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, Http, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| -> Http {
            HttpBuilder::from(Http::new(HttpAuthScheme::Bearer))
                .description(Some(description))
                .build()
        };
        components.add_security_scheme(
            ADMIN_TOKEN,
            SecurityScheme::Http(bearer(
                "The operations token `TILLBUD_ADMIN_TOKEN`, for the admin routes only. With no \
                 token configured and no admin login, the admin routes answer 404.",
            )),
        );
        components.add_security_scheme(
            API_TOKEN,
            SecurityScheme::Http(bearer(
                "A personal API token (`tb_…`, from `POST /api/v1/me/tokens`); it acts as the \
                 user who made it.",
            )),
        );
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-tillbud_session",
                "The session cookie of a login (named `tillbud_session` when the base URL is \
                 plain http). Requests that change something with it must come from tillbud's \
                 own pages (`Sec-Fetch-Site`/`Origin`), else 403.",
            ))),
        );
    }
}

const ADMIN_TOKEN: &str = "admin_token";
const API_TOKEN: &str = "api_token";
const SESSION: &str = "session";

/// Operations outside the `cases`, `actions` and `admin` tags that need a login.
const LOGIN_OPERATIONS: &[&str] = &[
    "get_me",
    "list_api_tokens",
    "create_api_token",
    "revoke_api_token",
    "end_session",
    "yearly_report",
];

/// Which credentials each operation takes, as alternatives: the admin routes take the
/// operations token, or an administrator's API token or session; case, action and account
/// operations take an API token or a session. Set here, in one place, so that no operation
/// claims one credential is required where another does as well — a client that reads a
/// single required `Authorization` header would expect 401 where the admin API, switched
/// off, answers 404.
fn declare_security(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    let one = |name: &str| SecurityRequirement::new(name, Vec::<String>::new());
    for item in api.paths.paths.values_mut() {
        for op in operations_mut(item) {
            let tags = op.tags.clone().unwrap_or_default();
            let id = op.operation_id.clone().unwrap_or_default();
            if tags.iter().any(|t| t == "admin") {
                op.security = Some(vec![one(ADMIN_TOKEN), one(API_TOKEN), one(SESSION)]);
            } else if tags.iter().any(|t| t == "cases" || t == "actions")
                || LOGIN_OPERATIONS.contains(&id.as_str())
            {
                op.security = Some(vec![one(API_TOKEN), one(SESSION)]);
            }
        }
    }
}

fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.patch.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// OpenAPI links: where the ids and codes an answer gives can be used next. They document
/// the flow for client authors, and let a stateful tester (schemathesis) reach the tracking,
/// comment and photo operations with a real code, and the admin item operations with real
/// ids.
const LINKS: &[LinkSpec] = &[
    (
        "create_incident",
        "201",
        "track",
        "track_incident",
        &[("tracking_code", "$response.body#/tracking_code")],
    ),
    (
        "create_incident",
        "201",
        "comment",
        "add_tracking_comment",
        &[("tracking_code", "$response.body#/tracking_code")],
    ),
    (
        "create_incident",
        "201",
        "add_photo",
        "add_tracking_attachment",
        &[("tracking_code", "$response.body#/tracking_code")],
    ),
    (
        "create_incident",
        "201",
        "add_photo_by_id",
        "add_incident_attachment",
        &[
            ("id", "$response.body#/id"),
            ("header.X-Tracking-Code", "$response.body#/tracking_code"),
        ],
    ),
    (
        "create_incident",
        "201",
        "history",
        "incident_history",
        &[("id", "$response.body#/id")],
    ),
    (
        "add_tracking_attachment",
        "201",
        "photo",
        "get_tracking_attachment",
        &[
            ("tracking_code", "$request.path.tracking_code"),
            ("id", "$response.body#/id"),
        ],
    ),
    (
        "add_incident_attachment",
        "201",
        "photo",
        "get_tracking_attachment",
        &[
            ("tracking_code", "$request.header.X-Tracking-Code"),
            ("id", "$response.body#/id"),
        ],
    ),
    (
        "list_outbox",
        "200",
        "retry",
        "retry_outbox_mail",
        &[("id", "$response.body#/items/0/id")],
    ),
    (
        "list_users",
        "200",
        "update",
        "update_user",
        &[("id", "$response.body#/items/0/id")],
    ),
    (
        "list_users",
        "200",
        "grant",
        "grant_role",
        &[("id", "$response.body#/items/0/id")],
    ),
    (
        "update_user",
        "200",
        "grant",
        "grant_role",
        &[("id", "$response.body#/id")],
    ),
    (
        "list_org_units",
        "200",
        "unit",
        "get_org_unit",
        &[("id", "$response.body#/items/0/id")],
    ),
    (
        "list_org_units",
        "200",
        "absence",
        "set_manager_absence",
        &[("id", "$response.body#/items/0/id")],
    ),
];

/// (from operation, status, link name, to operation, [(parameter, expression)])
type LinkSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

fn add_links(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::Link;
    use utoipa::openapi::RefOr;
    for (from, status, name, to, params) in LINKS {
        let response = api
            .paths
            .paths
            .values_mut()
            .flat_map(operations_mut)
            .find(|op| op.operation_id.as_deref() == Some(from))
            .and_then(|op| op.responses.responses.get_mut(*status));
        let Some(RefOr::T(response)) = response else {
            continue;
        };
        let link = params
            .iter()
            .fold(
                Link::builder().operation_id(*to),
                |link, (param, expression)| link.parameter(*param, *expression),
            )
            .build();
        response.links.insert((*name).to_owned(), RefOr::T(link));
    }
    // A report names its unit in the body: the unit list leads to reporting there.
    let units = api
        .paths
        .paths
        .values_mut()
        .flat_map(operations_mut)
        .find(|op| op.operation_id.as_deref() == Some("list_org_units"))
        .and_then(|op| op.responses.responses.get_mut("200"));
    if let Some(RefOr::T(response)) = units {
        let link = Link::builder()
            .operation_id("create_incident")
            .request_body(Some(
                serde_json::json!({ "org_unit_id": "$response.body#/items/0/id" }),
            ))
            .description("Report an event at this unit (the rest of the report is the client's).")
            .build();
        response.links.insert("report".to_owned(), RefOr::T(link));
    }
}

/// Every API route, registered so that utoipa collects it into the spec.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(metrics::metrics)
        .service(
            scope::scope("/api/v1")
                .service(org_units::list_org_units)
                .service(org_units::get_org_unit)
                .service(reports::submit::create_incident)
                .service(reports::track::track_incident)
                .service(reports::comment::add_tracking_comment)
                .service(add_attachment::add_incident_attachment)
                .service(add_attachment::add_tracking_attachment)
                .service(get_attachment::get_tracking_attachment)
                .service(admin::outbox::list_outbox)
                .service(admin::outbox_retry::retry_outbox_mail)
                .service(admin::absence::set_manager_absence)
                .service(admin::history::incident_history)
                .service(auth::login_link::request_login_link)
                .service(auth::methods::login_methods)
                .service(auth_session::start_session)
                .service(auth_session::end_session)
                .service(auth_demo::list_demo_users)
                .service(auth_demo::demo_login)
                .service(me::get_me)
                .service(admin::users::list_users)
                .service(admin::users::update_user)
                .service(admin::users::grant_role)
                .service(auth::api_tokens::list_api_tokens)
                .service(auth::api_tokens::create_api_token)
                .service(auth::api_tokens::revoke_api_token)
                .service(actions::create::create_action)
                .service(actions::list_for_case::list_case_actions)
                .service(actions::list::list_actions)
                .service(actions::update::update_action)
                .service(actions::transition::transition_action)
                .service(cases::list::list_incidents)
                .service(cases::get::get_incident)
                .service(cases::patch::patch_incident)
                .service(cases::transition::transition_incident)
                .service(cases::comment::add_case_comment)
                .service(cases::remove_personal_data::remove_personal_data)
                .service(cases::events::list_case_events)
                .service(cause_categories::list_cause_categories)
                .service(labels::list_labels)
                .service(costs::add_entry::add_cost_entry)
                .service(costs::list_entries::list_cost_entries)
                .service(costs::reverse_entry::reverse_cost_entry)
                .service(costs::put_claim::put_insurance_claim)
                .service(costs::trends::cost_trends)
                .service(costs::cases::cost_cases)
                .service(costs::claims::cost_claims)
                .service(costs::vocabulary::cost_categories)
                .service(statistics::yearly::yearly_report)
                .service(statistics::public::public_statistics),
        );
}

/// The OpenAPI document, generated from the handlers above.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(api)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    declare_security(&mut api);
    add_links(&mut api);
    headers_are_never_null(&mut api);
    multipart_part_names(&mut api);
    api
}

/// The names of the upload form's other parts go into a `Content-Disposition` header, so they
/// are header text: no control characters, no quote, no backslash. (utoipa's derive cannot
/// say so; JSON Schema's `propertyNames` can.)
fn multipart_part_names(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    let Some(components) = api.components.as_mut() else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(form))) = components.schemas.get_mut("PhotoUpload") {
        form.property_names = Some(Box::new(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r#"^[^\u0000-\u001F\u007F"\\]*$"#))
                .build(),
        )));
    }
}

/// An optional header (`Option<T>` in a handler's params) comes out of utoipa as a nullable
/// schema, which a client may read as "send the text `null`". A header is sent or not; the
/// `required: false` says which.
fn headers_are_never_null(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    use utoipa::openapi::RefOr;
    for item in api.paths.paths.values_mut() {
        for op in operations_mut(item) {
            for param in op.parameters.iter_mut().flatten() {
                let RefOr::T(param) = param else { continue };
                if !matches!(param.parameter_in, ParameterIn::Header) {
                    continue;
                }
                if let Some(RefOr::T(Schema::Object(object))) = param.schema.as_mut() {
                    if let SchemaType::Array(types) = &object.schema_type {
                        let types: Vec<Type> = types
                            .iter()
                            .filter(|t| **t != Type::Null)
                            .cloned()
                            .collect();
                        object.schema_type = match types.as_slice() {
                            [one] => SchemaType::Type(one.clone()),
                            _ => SchemaType::Array(types),
                        };
                    }
                }
            }
        }
    }
}

/// The spec as served at `/api/v1/openapi.json` and committed as `openapi.yaml`.
pub fn openapi_yaml() -> String {
    openapi().to_yaml().unwrap_or_default()
}

/// Known paths and their methods, to tell 405 from 404 for requests no route matched.
#[derive(Clone)]
pub struct RouteTable(Vec<(Vec<String>, Vec<String>)>);

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> RouteTable {
        let mut table = Vec::new();
        for (path, item) in spec.paths.paths.iter() {
            let segments = path.split('/').map(str::to_owned).collect();
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ]
            .iter()
            .filter(|(_, present)| *present)
            .map(|(m, _)| (*m).to_owned())
            .collect();
            table.push((segments, methods));
        }
        RouteTable(table)
    }

    /// The methods allowed on `path`, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| (s.starts_with('{') && !p.is_empty()) || s == p)
            })
            .map(|(_, m)| m.as_slice())
    }
}

/// Answers requests that no route took: 405 with `Allow` on a known path, else 404.
pub async fn not_matched(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    if let Some(methods) = table.allowed(req.path()) {
        let mut allow = methods.to_vec();
        if allow.iter().any(|m| m == "GET") {
            allow.push("HEAD".into());
        }
        let lang = i18n::current();
        let problem = Problem {
            r#type: "urn:tillbud:problem:method-not-allowed".into(),
            title: lang.t(Msg::HttpMethodNotAllowed).into(),
            status: 405,
            detail: format!("{}: {}", lang.t(Msg::HttpAllowedMethods), allow.join(", ")),
            errors: Vec::new(),
            allowed: None,
        };
        let mut resp = problem_response(StatusCode::METHOD_NOT_ALLOWED, &problem);
        if let Ok(value) = header::HeaderValue::from_str(&allow.join(", ")) {
            resp.headers_mut().insert(header::ALLOW, value);
        }
        return resp;
    }
    actix_web::ResponseError::error_response(&ApiError::NotFound)
}

/// Language of the request, for the i18n task-local.
pub fn request_lang(req: &ServiceRequest) -> i18n::Lang {
    i18n::Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}
