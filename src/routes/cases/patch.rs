//! `PATCH /api/v1/incidents/{id}`: a manager rates, classifies, investigates, moves a case and
//! records its legal duties. The request is read by serde into three-state fields
//! ([`Patch`]: absent leaves a field, `null` clears it); the rules are in `ops::cases::patch`.

use std::str::FromStr;

use actix_web::{patch, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::Number;
use utoipa::ToSchema;

use super::case_refusal;
use crate::auth::Caller;
use crate::domain::legal_duty::InjurySeverity;
use crate::domain::risk::{Grade, Risk};
use crate::domain::CleanText;
use crate::error::{ApiError, Problem};
use crate::ops::cases::{self as ops, CaseEdit, DutyEdit, PatchCaseError};
use crate::routes::case_view::{self, Case};
use crate::routes::input::{self, collecting_object, Checker, Patch, UnknownField};
use crate::routes::responses::{DatabaseBusy, IfMatchRequired, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

/// The rating on the 4×4 matrix; the level follows from it.
#[derive(Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    #[schema(value_type = i64, minimum = 1, maximum = 4)]
    pub likelihood: Patch<Number>,
    #[schema(value_type = i64, minimum = 1, maximum = 4)]
    pub consequence: Patch<Number>,
    /// Keys besides these two are ignored here (as they always were).
    #[schema(ignore)]
    pub unknown: Vec<UnknownField>,
}
collecting_object!(RiskInput {
    likelihood,
    consequence
});

/// What a manager recorded about one legal duty; every field optional, `null` clears.
#[derive(Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyInput {
    /// `true` confirms the duty, `false` dismisses it, `null` leaves it undecided.
    #[schema(value_type = Option<bool>)]
    pub confirmed: Patch<bool>,
    /// When the report to the authority was made.
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub reported_at: Patch<String>,
    /// The authority's reference (diarienummer).
    #[schema(
        value_type = Option<String>,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$"
    )]
    pub reference: Patch<String>,
    #[schema(ignore)]
    pub unknown: Vec<UnknownField>,
}
collecting_object!(DutyInput {
    confirmed,
    reported_at,
    reference
});

#[derive(Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutiesInput {
    #[schema(value_type = Option<DutyInput>)]
    pub arbetsmiljoverket: Patch<DutyInput>,
    #[schema(value_type = Option<DutyInput>)]
    pub forsakringskassan: Patch<DutyInput>,
    #[schema(ignore)]
    pub unknown: Vec<UnknownField>,
}
collecting_object!(DutiesInput {
    arbetsmiljoverket,
    forsakringskassan
});

/// Field changes; an absent field is left as it is, `null` clears a field that may be empty.
#[derive(Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PatchIncident)]
pub struct PatchIncidentRequest {
    #[schema(value_type = Option<RiskInput>)]
    pub risk: Patch<RiskInput>,
    /// One of `GET /api/v1/cause-categories`.
    #[schema(value_type = Option<String>)]
    pub cause_category: Patch<String>,
    /// What happened and why (room for five whys).
    #[schema(
        value_type = Option<String>,
        max_length = 20000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$"
    )]
    pub investigation: Patch<String>,
    /// Moves the case to this active unit: it is routed again and the unit's responsible
    /// manager is mailed.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub org_unit_id: Patch<String>,
    #[schema(value_type = Option<InjurySeverity>)]
    pub injury_severity: Patch<String>,
    #[schema(value_type = Option<bool>)]
    pub several_injured: Patch<bool>,
    #[schema(value_type = Option<bool>)]
    pub serious_danger: Patch<bool>,
    #[schema(value_type = Option<DutiesInput>)]
    pub duties: Patch<DutiesInput>,
    #[schema(ignore)]
    pub unknown: Vec<UnknownField>,
}
collecting_object!(PatchIncidentRequest {
    risk,
    cause_category,
    investigation,
    org_unit_id,
    injury_severity,
    several_injured,
    serious_danger,
    duties
});

/// A field that cannot be cleared: `null` is the wrong type.
fn required_value<T>(c: &mut Checker, field: &str, v: Patch<T>) -> Option<T> {
    match v {
        Patch::Absent => None,
        Patch::Value(v) => Some(v),
        Patch::Null | Patch::Invalid => {
            c.fail(field, "type");
            None
        }
    }
}

/// Text that may be cleared: `null` or an empty text clears it.
fn text_field(
    c: &mut Checker,
    field: &str,
    v: Patch<String>,
    max: usize,
    multiline: bool,
) -> Option<Option<String>> {
    match v {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Value(s) => match CleanText::parse(&s, multiline) {
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
        Patch::Invalid => {
            c.fail(field, "type");
            None
        }
    }
}

/// A grade of the matrix. JSON Schema counts 2.0 as an integer, so it is taken as one.
fn grade(c: &mut Checker, field: &str, v: Patch<Number>) -> Option<Grade> {
    let n = match v {
        Patch::Absent => {
            c.fail(field, "required");
            return None;
        }
        Patch::Value(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e9)
                .map(|f| f as i64)
        }),
        Patch::Null | Patch::Invalid => None,
    };
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

fn unknown(c: &mut Checker, prefix: Option<&str>, keys: &[UnknownField]) {
    for key in keys {
        match prefix {
            Some(prefix) => c.fail(&format!("{prefix}.{}", key.name), "unknown_field"),
            None => c.fail(&key.name, "unknown_field"),
        }
    }
}

impl RiskInput {
    fn check(self, c: &mut Checker) -> Option<Risk> {
        let likelihood = grade(c, "risk.likelihood", self.likelihood);
        let consequence = grade(c, "risk.consequence", self.consequence);
        Some(Risk {
            likelihood: likelihood?,
            consequence: consequence?,
        })
    }
}

impl DutyInput {
    fn check(self, c: &mut Checker, prefix: &str, now: DateTime<Utc>) -> DutyEdit {
        let field = |name: &str| format!("{prefix}.{name}");
        let confirmed = match self.confirmed {
            Patch::Null => Some(None),
            other => required_value(c, &field("confirmed"), other).map(Some),
        };
        let reported_at = match self.reported_at {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(s) => match DateTime::parse_from_rfc3339(s.trim()) {
                // A report to an authority cannot have been made in the future (five
                // minutes of clock skew allowed, as for reports).
                Ok(at) if at.with_timezone(&Utc) > now + chrono::Duration::minutes(5) => {
                    c.fail(&field("reported_at"), "in_future");
                    None
                }
                Ok(at) => Some(Some(at.with_timezone(&Utc))),
                Err(_) => {
                    c.fail(&field("reported_at"), "format");
                    None
                }
            },
            Patch::Invalid => {
                c.fail(&field("reported_at"), "type");
                None
            }
        };
        let reference = text_field(c, &field("reference"), self.reference, 100, false);
        unknown(c, Some(prefix), &self.unknown);
        DutyEdit {
            confirmed,
            reported_at,
            reference,
        }
    }
}

/// One duty of the `duties` group: `null` (or absent) changes nothing.
fn duty(c: &mut Checker, prefix: &str, v: Patch<DutyInput>, now: DateTime<Utc>) -> DutyEdit {
    match v {
        Patch::Value(d) => d.check(c, prefix, now),
        Patch::Invalid => {
            c.fail(prefix, "type");
            DutyEdit::default()
        }
        Patch::Absent | Patch::Null => DutyEdit::default(),
    }
}

impl PatchIncidentRequest {
    /// Every bad field at once (422), or the edit.
    fn check(self, categories: &[String], now: DateTime<Utc>) -> Result<CaseEdit, ApiError> {
        let mut c = Checker::new();
        let mut edit = CaseEdit {
            risk: match self.risk {
                Patch::Absent => None,
                Patch::Null => Some(None),
                Patch::Value(r) => r.check(&mut c).map(Some),
                Patch::Invalid => {
                    c.fail("risk", "type");
                    None
                }
            },
            cause_category: match self.cause_category {
                Patch::Value(s) if !categories.iter().any(|k| k == s.trim()) => {
                    c.fail("cause_category", "unknown_value");
                    None
                }
                Patch::Value(s) => Some(Some(s.trim().to_owned())),
                Patch::Null => Some(None),
                other => required_value(&mut c, "cause_category", other).map(Some),
            },
            investigation: text_field(&mut c, "investigation", self.investigation, 20_000, true),
            org_unit_id: required_value(&mut c, "org_unit_id", self.org_unit_id).and_then(|s| {
                c.parse("org_unit_id", Some(s), |s| {
                    uuid::Uuid::parse_str(s.trim())
                        .map(|u| u.to_string())
                        .map_err(|_| "format")
                })
            }),
            injury_severity: required_value(&mut c, "injury_severity", self.injury_severity)
                .and_then(|s| {
                    c.parse("injury_severity", Some(s), |s| {
                        InjurySeverity::from_str(&s).map_err(|()| "unknown_value")
                    })
                }),
            several_injured: required_value(&mut c, "several_injured", self.several_injured),
            serious_danger: required_value(&mut c, "serious_danger", self.serious_danger),
            ..CaseEdit::default()
        };
        match self.duties {
            Patch::Value(d) => {
                edit.av = duty(&mut c, "duties.arbetsmiljoverket", d.arbetsmiljoverket, now);
                edit.fk = duty(&mut c, "duties.forsakringskassan", d.forsakringskassan, now);
                // An unknown authority with `null` changes nothing, like a known one.
                let named: Vec<UnknownField> = d.unknown.into_iter().filter(|k| !k.null).collect();
                unknown(&mut c, Some("duties"), &named);
            }
            Patch::Invalid => c.fail("duties", "type"),
            // `null` for the whole group changes nothing (each duty field clears itself).
            Patch::Absent | Patch::Null => {}
        }
        unknown(&mut c, None, &self.unknown);
        c.finish().map_err(in_key_order)?;
        Ok(edit)
    }
}

/// The errors in the order of the request's keys (sorted, as serde_json reads an object),
/// as they were listed when the body was walked key by key; a key's own errors keep their
/// order (`risk.likelihood` before `risk.consequence`).
fn in_key_order(e: ApiError) -> ApiError {
    match e {
        ApiError::Validation(mut errors) => {
            errors.sort_by_key(|e| {
                let top = e.field.split('.').next().unwrap_or("").to_owned();
                let rest = if top == "duties" {
                    e.field.clone()
                } else {
                    String::new()
                };
                (top, rest)
            });
            ApiError::Validation(errors)
        }
        other => other,
    }
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
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may read the case but not change it (or a cross-site request).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may read.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Some fields are not valid; `errors` lists each.", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
        DatabaseBusy,
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
    let request: PatchIncidentRequest = input::json_body(&req, payload).await?;
    let ctx = state.ops();
    let edit = request.check(&state.settings.cause_categories, ctx.now)?;
    match ops::patch_case(&ctx, &caller, &id, version, edit).await {
        Ok(v) => Ok(case_view::respond(&case_view::full(
            v.case,
            v.can_manage,
            ctx.now,
        )?)),
        Err(PatchCaseError::Refused(gate)) => Err(case_refusal(gate, &caller, &id, "patch")),
        Err(PatchCaseError::Stale) => Err(ApiError::PreconditionFailed),
        Err(PatchCaseError::UnknownUnit) => Err(ApiError::field(
            "org_unit_id",
            "unknown_org_unit",
            input::message("unknown_org_unit", crate::i18n::current(), None),
        )),
        Err(PatchCaseError::Db(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-26T10:00:00Z".parse().unwrap()
    }

    fn parse(v: Value) -> Result<CaseEdit, ApiError> {
        let cats = vec!["teknik".to_owned(), "extern".to_owned()];
        let request: PatchIncidentRequest = serde_json::from_value(v).unwrap();
        request.check(&cats, now())
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
}
