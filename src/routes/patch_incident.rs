//! `PATCH /api/v1/incidents/{id}`: a manager rates, classifies, investigates, moves a case and
//! records its legal duties. Every changed field becomes one history event (before → after).

use std::str::FromStr;

use actix_web::{patch, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use super::case_view::{self, Case};
use super::input::{self, Checker};
use crate::auth::Caller;
use crate::db::cases::{self, CaseChanges, CaseRow};
use crate::db::incidents;
use crate::domain::legal_duty::InjurySeverity;
use crate::domain::risk::{Grade, Risk};
use crate::domain::CleanText;
use crate::error::{ApiError, Problem};
use crate::mail::reroute;
use crate::state::AppState;

/// The rating on the 4×4 matrix; the level follows from it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    #[schema(minimum = 1, maximum = 4)]
    pub likelihood: i64,
    #[schema(minimum = 1, maximum = 4)]
    pub consequence: i64,
}

/// What a manager recorded about one legal duty; every field optional, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyInput {
    /// `true` confirms the duty, `false` dismisses it, `null` leaves it undecided.
    pub confirmed: Option<bool>,
    /// When the report to the authority was made.
    pub reported_at: Option<DateTime<Utc>>,
    /// The authority's reference (diarienummer).
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$"
    )]
    pub reference: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutiesInput {
    pub arbetsmiljoverket: Option<DutyInput>,
    pub forsakringskassan: Option<DutyInput>,
}

/// Field changes; an absent field is left as it is, `null` clears a field that may be empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PatchIncident)]
pub struct PatchIncidentRequest {
    pub risk: Option<RiskInput>,
    /// One of `GET /api/v1/cause-categories`.
    pub cause_category: Option<String>,
    /// What happened and why (room for five whys).
    #[schema(
        max_length = 20000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$"
    )]
    pub investigation: Option<String>,
    /// Moves the case to this active unit: it is routed again and the unit's responsible
    /// manager is mailed.
    #[schema(format = Uuid)]
    pub org_unit_id: Option<String>,
    #[schema(value_type = Option<InjurySeverity>)]
    pub injury_severity: Option<InjurySeverity>,
    pub several_injured: Option<bool>,
    pub serious_danger: Option<bool>,
    pub duties: Option<DutiesInput>,
}

/// A field's new value: `Some(None)` clears it.
type Set<T> = Option<Option<T>>;

#[derive(Debug, Default)]
struct DutyPatch {
    confirmed: Set<bool>,
    reported_at: Set<DateTime<Utc>>,
    reference: Set<String>,
}

#[derive(Debug, Default)]
struct Patch {
    risk: Set<Risk>,
    cause_category: Set<String>,
    investigation: Set<String>,
    org_unit_id: Option<String>,
    injury_severity: Option<InjurySeverity>,
    several_injured: Option<bool>,
    serious_danger: Option<bool>,
    av: DutyPatch,
    fk: DutyPatch,
}

const FIELDS: &[&str] = &[
    "risk",
    "cause_category",
    "investigation",
    "org_unit_id",
    "injury_severity",
    "several_injured",
    "serious_danger",
    "duties",
];

fn bool_field(c: &mut Checker, field: &str, v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => {
            c.fail(field, "type");
            None
        }
    }
}

/// Text that may be cleared: `null` or an empty text clears it.
fn text_field(c: &mut Checker, field: &str, v: &Value, max: usize, multiline: bool) -> Set<String> {
    match v {
        Value::Null => Some(None),
        Value::String(s) => match CleanText::parse(s, multiline) {
            Ok(t) if t.as_str().is_empty() => Some(None),
            Ok(t) if t.as_str().chars().count() > max => {
                c.fail(field, "length_max");
                None
            }
            Ok(t) => Some(Some(t.as_str().to_owned())),
            Err(code) => {
                c.fail(field, code);
                None
            }
        },
        _ => {
            c.fail(field, "type");
            None
        }
    }
}

fn grade(c: &mut Checker, field: &str, v: Option<&Value>) -> Option<Grade> {
    let Some(v) = v else {
        c.fail(field, "required");
        return None;
    };
    // JSON Schema counts 2.0 as an integer, so it is taken as one.
    let n = v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e9)
            .map(|f| f as i64)
    });
    match n {
        Some(n) => Grade::parse(n).or_else(|| {
            c.fail(field, "range");
            None
        }),
        None => {
            c.fail(field, "type");
            None
        }
    }
}

fn duty_patch(c: &mut Checker, prefix: &str, v: &Value, now: DateTime<Utc>) -> DutyPatch {
    let mut p = DutyPatch::default();
    let Some(obj) = v.as_object() else {
        c.fail(prefix, "type");
        return p;
    };
    for (key, v) in obj {
        let field = format!("{prefix}.{key}");
        match key.as_str() {
            "confirmed" => {
                p.confirmed = match v {
                    Value::Null => Some(None),
                    other => bool_field(c, &field, other).map(Some),
                }
            }
            "reported_at" => {
                p.reported_at = match v {
                    Value::Null => Some(None),
                    Value::String(s) => match DateTime::parse_from_rfc3339(s.trim()) {
                        // A report to an authority cannot have been made in the future
                        // (five minutes of clock skew allowed, as for reports).
                        Ok(at) if at.with_timezone(&Utc) > now + chrono::Duration::minutes(5) => {
                            c.fail(&field, "in_future");
                            None
                        }
                        Ok(at) => Some(Some(at.with_timezone(&Utc))),
                        Err(_) => {
                            c.fail(&field, "format");
                            None
                        }
                    },
                    _ => {
                        c.fail(&field, "type");
                        None
                    }
                }
            }
            "reference" => p.reference = text_field(c, &field, v, 100, false),
            _ => c.fail(&field, "unknown_field"),
        }
    }
    p
}

fn parse_patch(
    body: &Map<String, Value>,
    categories: &[String],
    now: DateTime<Utc>,
) -> Result<Patch, ApiError> {
    let mut c = Checker::new();
    let mut p = Patch::default();
    for (key, v) in body {
        match key.as_str() {
            "risk" => {
                p.risk = match v {
                    Value::Null => Some(None),
                    Value::Object(o) => {
                        let l = grade(&mut c, "risk.likelihood", o.get("likelihood"));
                        let k = grade(&mut c, "risk.consequence", o.get("consequence"));
                        match (l, k) {
                            (Some(likelihood), Some(consequence)) => Some(Some(Risk {
                                likelihood,
                                consequence,
                            })),
                            _ => None,
                        }
                    }
                    _ => {
                        c.fail("risk", "type");
                        None
                    }
                }
            }
            "cause_category" => {
                p.cause_category = match v {
                    Value::Null => Some(None),
                    Value::String(s) if categories.iter().any(|k| k == s.trim()) => {
                        Some(Some(s.trim().to_owned()))
                    }
                    Value::String(_) => {
                        c.fail("cause_category", "unknown_value");
                        None
                    }
                    _ => {
                        c.fail("cause_category", "type");
                        None
                    }
                }
            }
            "investigation" => p.investigation = text_field(&mut c, key, v, 20_000, true),
            "org_unit_id" => {
                p.org_unit_id = match v.as_str().map(|s| uuid::Uuid::parse_str(s.trim())) {
                    Some(Ok(u)) => Some(u.to_string()),
                    Some(Err(_)) => {
                        c.fail(key, "format");
                        None
                    }
                    None => {
                        c.fail(key, "type");
                        None
                    }
                }
            }
            "injury_severity" => {
                p.injury_severity = match v.as_str().map(InjurySeverity::from_str) {
                    Some(Ok(s)) => Some(s),
                    Some(Err(())) => {
                        c.fail(key, "unknown_value");
                        None
                    }
                    None => {
                        c.fail(key, "type");
                        None
                    }
                }
            }
            "several_injured" => p.several_injured = bool_field(&mut c, key, v),
            "serious_danger" => p.serious_danger = bool_field(&mut c, key, v),
            "duties" => match v.as_object() {
                // `null` for the whole group changes nothing (each duty field clears itself).
                None if v.is_null() => {}
                Some(o) => {
                    for (authority, v) in o {
                        let field = format!("duties.{authority}");
                        match authority.as_str() {
                            _ if v.is_null() => {}
                            "arbetsmiljoverket" => p.av = duty_patch(&mut c, &field, v, now),
                            "forsakringskassan" => p.fk = duty_patch(&mut c, &field, v, now),
                            _ => c.fail(&field, "unknown_field"),
                        }
                    }
                }
                None => c.fail("duties", "type"),
            },
            _ => c.fail(key, "unknown_field"),
        }
    }
    debug_assert!(FIELDS.len() == 8);
    c.finish()?;
    Ok(p)
}

/// One changed field for the history.
struct Changed {
    field: &'static str,
    before: Value,
    after: Value,
}

fn risk_json(l: Option<i32>, c: Option<i32>, level: &Option<String>) -> Value {
    match (l, c) {
        (Some(l), Some(c)) => json!({"likelihood": l, "consequence": c, "level": level}),
        _ => Value::Null,
    }
}

/// Compares the request with the stored case: only real changes are written and recorded.
fn diff(row: &CaseRow, p: Patch) -> (CaseChanges, Vec<Changed>) {
    let mut ch = CaseChanges::default();
    let mut log = Vec::new();
    let mut note = |field: &'static str, before: Value, after: Value| {
        log.push(Changed {
            field,
            before,
            after,
        })
    };
    if let Some(risk) = p.risk {
        let (l, k, level) = match risk {
            Some(r) => (
                Some(i32::from(r.likelihood.get())),
                Some(i32::from(r.consequence.get())),
                Some(r.level().as_str().to_owned()),
            ),
            None => (None, None, None),
        };
        if (l, k) != (row.risk_likelihood, row.risk_consequence) {
            note(
                "risk",
                risk_json(row.risk_likelihood, row.risk_consequence, &row.risk_level),
                risk_json(l, k, &level),
            );
            ch.risk_likelihood = Some(l);
            ch.risk_consequence = Some(k);
            ch.risk_level = Some(level);
        }
    }
    macro_rules! opt_field {
        ($name:ident, $value:expr, $stored:expr) => {
            if let Some(v) = $value {
                if v != $stored {
                    note(stringify!($name), json!($stored), json!(v));
                    ch.$name = Some(v);
                }
            }
        };
    }
    opt_field!(cause_category, p.cause_category, row.cause_category);
    opt_field!(investigation, p.investigation, row.investigation);
    if let Some(unit) = p.org_unit_id {
        if unit != row.org_unit_id {
            note("org_unit_id", json!(row.org_unit_id), json!(unit));
            ch.org_unit_id = Some(unit);
        }
    }
    if let Some(s) = p.injury_severity {
        if s.as_str() != row.injury_severity {
            note("injury_severity", json!(row.injury_severity), json!(s));
            ch.injury_severity = Some(s.as_str().to_owned());
        }
    }
    opt_field!(several_injured, p.several_injured, row.several_injured);
    opt_field!(serious_danger, p.serious_danger, row.serious_danger);
    let naive = |v: Option<Option<DateTime<Utc>>>| v.map(|o| o.map(|t| t.naive_utc()));
    macro_rules! duty_field {
        ($name:ident, $label:literal, $value:expr, $stored:expr) => {
            if let Some(v) = $value {
                if v != $stored {
                    note(
                        $label,
                        json!($stored.map(|t| case_view::utc(t))),
                        json!(v.map(|t| case_view::utc(t))),
                    );
                    ch.$name = Some(v);
                }
            }
        };
    }
    opt_field!(av_confirmed, p.av.confirmed, row.av_confirmed);
    opt_field!(av_reference, p.av.reference, row.av_reference);
    duty_field!(
        av_reported_at,
        "av_reported_at",
        naive(p.av.reported_at),
        row.av_reported_at
    );
    opt_field!(fk_confirmed, p.fk.confirmed, row.fk_confirmed);
    opt_field!(fk_reference, p.fk.reference, row.fk_reference);
    duty_field!(
        fk_reported_at,
        "fk_reported_at",
        naive(p.fk.reported_at),
        row.fk_reported_at
    );
    (ch, log)
}

/// The history's name of a field: duties under their authority.
fn event_field(field: &str) -> String {
    match field.split_once('_') {
        Some(("av", rest)) => format!("duties.arbetsmiljoverket.{rest}"),
        Some(("fk", rest)) => format!("duties.forsakringskassan.{rest}"),
        _ => field.to_owned(),
    }
}

enum Outcome {
    Done {
        case: Box<case_view::Visible>,
        mails: usize,
    },
    Refused(ApiError),
}

/// Change a case
///
/// Rating, cause, investigation, unit (a move re-routes the case and mails the new unit's
/// manager), injury facts and legal duties. Needs `If-Match` with the case's `ETag`; a stale
/// one changes nothing (412). Each changed field is recorded in the history with its value
/// before and after.
#[utoipa::path(
    tag = "cases",
    operation_id = "patch_incident",
    params(
        ("id" = String, Path, format = Uuid, description = "The case id."),
        // Declared optional so that its absence is documented as what it is here: 428.
        ("If-Match" = Option<String>, Header, pattern = r#"^(W/)?"[0-9]+"$"#,
         description = "Required: the `ETag` from the last read, e.g. `\"3\"`; 428 without it."),
    ),
    request_body(content = PatchIncidentRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The changed case.", body = Case,
         headers(("ETag" = String, description = "The case's new version, quoted."))),
        (status = 400, description = "The body is not valid JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may read the case but not change it (or a cross-site request).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may read.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Some fields are not valid; `errors` lists each.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing or is not an ETag of this API.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/incidents/{id}")]
pub async fn patch_incident(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = case_view::case_id(&id)?;
    let version = case_view::if_match(&req)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let value = input::parse_json_object(&req, &body)?;
    let now = state.clock.now();
    let Value::Object(map) = value else {
        return Err(ApiError::MalformedBody("not an object".into()));
    };
    let patch = parse_patch(&map, &state.settings.cause_categories, now)?;
    let ctx = state.mail.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let row =
                match case_view::gate(conn, &caller, &id, version)?.open(&caller, &id, "patch") {
                    Ok(row) => row,
                    Err(e) => return Ok(Outcome::Refused(e)),
                };
            let moved_to = patch.org_unit_id.clone().filter(|u| *u != row.org_unit_id);
            if let Some(unit) = &moved_to {
                if !cases::unit_is_active(conn, unit)? {
                    return Ok(Outcome::Refused(ApiError::field(
                        "org_unit_id",
                        "unknown_org_unit",
                        input::message("unknown_org_unit", crate::i18n::current(), None),
                    )));
                }
            }
            let (changes, log) = diff(&row, patch);
            if log.is_empty() {
                // Nothing to change: no new version, no history entry.
                let case = case_view::reload(conn, &caller, &id)?;
                return Ok(Outcome::Done {
                    case: Box::new(case),
                    mails: 0,
                });
            }
            if !cases::update(conn, &id, version, &changes, now.naive_utc())? {
                return Ok(Outcome::Refused(ApiError::PreconditionFailed));
            }
            for c in &log {
                let data = json!({
                    "field": event_field(c.field),
                    "before": c.before,
                    "after": c.after,
                })
                .to_string();
                incidents::append_event(
                    conn,
                    &id,
                    now.naive_utc(),
                    Some(&caller.email),
                    "field_changed",
                    false,
                    &data,
                )?;
            }
            let mails = match moved_to {
                Some(_) => reroute::reroute_moved_case(conn, &ctx, &id, &caller.email, now)?,
                None => 0,
            };
            let case = case_view::reload(conn, &caller, &id)?;
            Ok(Outcome::Done {
                case: Box::new(case),
                mails,
            })
        })
        .await?;
    match outcome {
        Outcome::Refused(e) => Err(e),
        Outcome::Done { case, mails } => {
            if mails > 0 {
                state.mail.wake.notify_one();
            }
            let case = case_view::full(case.case, case.can_manage, now)?;
            Ok(case_view::respond(&case))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-26T10:00:00Z".parse().unwrap()
    }

    fn parse(v: Value) -> Result<Patch, ApiError> {
        let cats = vec!["teknik".to_owned(), "extern".to_owned()];
        parse_patch(v.as_object().unwrap(), &cats, now())
    }

    #[test]
    fn absent_leaves_null_clears() {
        let p =
            parse(json!({"cause_category": null, "risk": {"likelihood": 2, "consequence": 4.0}}))
                .unwrap();
        assert_eq!(p.cause_category, Some(None));
        assert!(p.investigation.is_none(), "absent: unchanged");
        let risk = p.risk.flatten().unwrap();
        assert_eq!(risk.level(), crate::domain::risk::RiskLevel::High);
        let p = parse(json!({"investigation": "  ", "duties": null})).unwrap();
        assert_eq!(p.investigation, Some(None), "an empty text clears");
        assert!(p.av.confirmed.is_none());
    }

    #[test]
    fn every_bad_field_is_named() {
        let Err(ApiError::Validation(errors)) = parse(json!({
            "risk": {"likelihood": 0},
            "cause_category": "okänd",
            "duties": {"arbetsmiljoverket": {"reported_at": "2026-11-27T10:00:00Z", "x": 1}, "kronofogden": {}},
            "several_injured": 1,
        })) else {
            panic!("expected a validation error");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "risk.likelihood",
            "risk.consequence",
            "cause_category",
            "duties.arbetsmiljoverket.reported_at",
            "duties.arbetsmiljoverket.x",
            "duties.kronofogden",
            "several_injured",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn duty_fields_are_named_under_their_authority_in_the_history() {
        assert_eq!(
            event_field("av_reported_at"),
            "duties.arbetsmiljoverket.reported_at"
        );
        assert_eq!(
            event_field("fk_confirmed"),
            "duties.forsakringskassan.confirmed"
        );
        assert_eq!(event_field("cause_category"), "cause_category");
    }
}
