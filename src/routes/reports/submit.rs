//! `POST /api/v1/incidents`: an employee reports an event.

use std::collections::BTreeSet;
use std::str::FromStr;

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{normalise_email, Caller};
use crate::db::org_units;
use crate::domain::incident::{check_occurred_at, Phone};
use crate::domain::{Consequence, Coordinates, IncidentKind, NewIncident, Reporter};
use crate::error::{ApiError, Problem};
use crate::ops::idempotent::{self, Attempt};
use crate::ops::reports::submit::{self as ops, IncidentCreated, ReporterUser};
use crate::routes::idempotency;
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors};
use crate::state::AppState;

/// A report of an event. Text is trimmed and Unicode-normalised (NFC) before its length is
/// checked; control characters are refused, and in one-line fields (title, location, name)
/// also direction overrides and invisible characters (`invisible_character`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateIncident)]
pub struct CreateIncidentRequest {
    #[serde(default)]
    #[schema(value_type = IncidentKind, required = true)]
    pub kind: Lenient<String>,
    /// An active org unit, from `GET /api/v1/org-units`.
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = true)]
    pub org_unit_id: Lenient<String>,
    /// When it happened (RFC 3339); at most 5 minutes ahead of the server's clock.
    #[serde(default)]
    #[schema(value_type = String, format = DateTime, required = true)]
    pub occurred_at: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = String, min_length = 3, max_length = 120, required = true, pattern = r"^[^\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$", example = "Halka vid entrén")]
    pub title: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = String, min_length = 10, max_length = 5000, required = true, pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub description: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub location: Lenient<String>,
    /// WGS 84; give both latitude and longitude or neither.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = -90.0, maximum = 90.0)]
    pub latitude: Lenient<f64>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = -180.0, maximum = 180.0)]
    pub longitude: Lenient<f64>,
    /// Which consequence areas apply; each at most once.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Consequence>>)]
    pub consequences: Lenient<Vec<String>>,
    /// What was done at once.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub immediate_action: Lenient<String>,
    /// Who reports. Ignored (nothing stored) when `anonymous` is true.
    #[serde(default)]
    #[schema(value_type = Option<ReporterInput>)]
    pub reporter: Lenient<input::Object<ReporterInput>>,
    /// Report without any reporter data being stored.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub anonymous: Lenient<bool>,
}

/// Who reports; every field optional.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReporterInput {
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub name: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 30, example = "0455-30 30 00")]
    pub phone: Lenient<String>,
}

impl CreateIncidentRequest {
    /// Applies every input rule, reporting all bad fields at once.
    /// `unit_is_active` answers whether a (well-formed) unit id names an active unit.
    pub fn parse(self, now: DateTime<Utc>, unit_is_active: bool) -> Result<NewIncident, ApiError> {
        let mut c = Checker::new();
        let kind_raw = c.value("kind", self.kind, true);
        let kind = c.parse("kind", kind_raw, |s| {
            IncidentKind::from_str(&s).map_err(|()| "unknown_value")
        });
        let unit_raw = c.value("org_unit_id", self.org_unit_id, true);
        let org_unit_id = c.parse("org_unit_id", unit_raw, |s| {
            let id = Uuid::parse_str(s.trim()).map_err(|_| "format")?;
            if unit_is_active {
                Ok(id)
            } else {
                Err("unknown_org_unit")
            }
        });
        let at_raw = c.value("occurred_at", self.occurred_at, true);
        let occurred_at = c.parse("occurred_at", at_raw, |s| {
            let at = DateTime::parse_from_rfc3339(s.trim())
                .map_err(|_| "format")?
                .with_timezone(&Utc);
            check_occurred_at(at, now).map(|()| at)
        });
        let title = c.text("title", self.title, true, (3, 120), false);
        let description = c.text("description", self.description, true, (10, 5000), true);
        let location = c.text("location", self.location, false, (1, 200), false);
        let immediate_action = c.text(
            "immediate_action",
            self.immediate_action,
            false,
            (1, 2000),
            true,
        );

        let lat_given = !matches!(self.latitude, Lenient::Missing);
        let lon_given = !matches!(self.longitude, Lenient::Missing);
        let latitude = c.float_in("latitude", self.latitude, -90.0, 90.0);
        let longitude = c.float_in("longitude", self.longitude, -180.0, 180.0);
        let coordinates = match (latitude, longitude) {
            (Some(latitude), Some(longitude)) => Some(Coordinates {
                latitude,
                longitude,
            }),
            _ => {
                if lat_given != lon_given {
                    c.fail(
                        if lat_given { "longitude" } else { "latitude" },
                        "both_or_neither",
                    );
                }
                None
            }
        };

        let mut consequences = BTreeSet::new();
        for raw in c
            .value("consequences", self.consequences, false)
            .unwrap_or_default()
        {
            match Consequence::from_str(&raw) {
                Ok(v) if consequences.insert(v) => {}
                Ok(_) => c.fail("consequences", "duplicate"),
                Err(()) => c.fail("consequences", "unknown_value"),
            }
        }

        let anonymous = c.value("anonymous", self.anonymous, false).unwrap_or(false);
        let reporter_input = c.value("reporter", self.reporter, false);
        let reporter = match reporter_input {
            // Anonymous means nothing about the reporter is even looked at.
            Some(_) if anonymous => None,
            Some(input::Object(r)) => {
                let name = c.text("reporter.name", r.name, false, (1, 200), false);
                let email = c.email("reporter.email", r.email);
                let phone_raw = c.value("reporter.phone", r.phone, false);
                let phone = c.parse(
                    "reporter.phone",
                    phone_raw.filter(|p| !p.trim().is_empty()),
                    |p| Phone::parse(&p),
                );
                let reporter = Reporter { name, email, phone };
                (!reporter.is_empty()).then_some(reporter)
            }
            None => None,
        };

        c.finish()?;
        // Every required field was recorded as an error above if missing, so these hold.
        match (kind, org_unit_id, occurred_at, title, description) {
            (Some(kind), Some(org_unit_id), Some(occurred_at), Some(title), Some(description)) => {
                Ok(NewIncident {
                    kind,
                    org_unit_id,
                    occurred_at,
                    title,
                    description,
                    location,
                    coordinates,
                    consequences,
                    immediate_action,
                    reporter,
                })
            }
            _ => Err(ApiError::Internal(anyhow::anyhow!(
                "incident parse passed without required fields"
            ))),
        }
    }
}

/// Report an event
///
/// Stores the report and answers with its tracking code. Send an `Idempotency-Key` (a UUID
/// made once per report) so that a retry after a lost answer creates nothing new.
#[utoipa::path(
    tag = "incidents",
    operation_id = "create_incident",
    params(
        ("Idempotency-Key" = Option<String>, Header, format = Uuid,
         description = "A UUID the client makes once per report; a retry with the same key and body returns the first answer."),
    ),
    request_body(content = CreateIncidentRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The report is stored.", body = IncidentCreated,
         headers(("Location" = String, description = "The case's URL."))),
        JsonBodyErrors,
        (status = 422, description = "Some fields are not valid; `errors` lists each.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many reports from this client address or for this reporter address in the last hour; try again after `Retry-After` seconds (the report is not stored).", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = String, description = "Seconds until a report is accepted again."))),
        DatabaseBusy,
    )
)]
#[post("/incidents")]
pub async fn create_incident(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    caller: Option<Caller>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let value = input::parse_json_object(&req, &body)?;
    let attempt = Attempt {
        key,
        request_hash: idempotent::request_hash(&value),
    };
    let ctx = state.ops();
    if let Some(earlier) = ops::earlier(&ctx, &attempt).await? {
        return idempotency::respond(earlier);
    }
    let unit_is_active = unit_is_active(&state, &value).await?;
    let request: CreateIncidentRequest = input::from_object(value)?;
    let incident = request.parse(ctx.now, unit_is_active)?;
    // A logged-in reporter who gives their name can follow the case in the API; an anonymous
    // report is never tied to the session it came from.
    let reporter_user = caller
        .filter(|_| incident.reporter.is_some())
        .map(|c| ReporterUser {
            user_id: c.user_id,
            email: c.email,
        });
    limit(&req, &state, &incident, reporter_user.as_ref())?;
    let submission = ops::submit_report(&ctx, attempt, incident, reporter_user).await?;
    idempotency::respond(submission)
}

/// Looked up before the body is checked, so that an unknown unit is listed together with
/// every other bad field.
async fn unit_is_active(state: &AppState, value: &serde_json::Value) -> Result<bool, ApiError> {
    let unit = value
        .get("org_unit_id")
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s.trim()).ok());
    Ok(match unit {
        Some(unit) => {
            state
                .db
                .read(move |c| org_units::is_active(c, &unit))
                .await?
        }
        None => false,
    })
}

/// Reports per client address and per reporter address and hour: every report mails a
/// manager (and often a skyddsombud), so the form must not be a way to flood them. Checked
/// after the replay of a stored answer, so a retry with the same key is never refused.
fn limit(
    req: &HttpRequest,
    state: &AppState,
    incident: &NewIncident,
    user: Option<&ReporterUser>,
) -> Result<(), ApiError> {
    let limits = state.settings.report_limits;
    let client = crate::auth::client::address(req, &state.settings.proxies);
    let mut keys = vec![(format!("report-client:{client}"), limits.per_client)];
    let email = incident
        .reporter
        .as_ref()
        .and_then(|r| r.email.as_ref())
        .map(|e| normalise_email(e.as_str()));
    if let Some(email) = email {
        // A logged-in reporter using their own address counts as themselves, so strangers who
        // type that address cannot use up their reports.
        let key = match user.filter(|u| u.email == email) {
            Some(u) => format!("report-user:{}", u.user_id),
            None => format!("report-reporter:{email}"),
        };
        keys.push((key, limits.per_reporter));
    }
    state
        .report_limiter
        .check(&keys, state.clock.now())
        .map_err(|wait| {
            tracing::info!("denied: report rate limit");
            ApiError::TooManyRequests {
                retry_after_secs: wait.num_seconds().max(1) as u64,
            }
        })
}
