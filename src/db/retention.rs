//! Removing a case's personal data: by a retention rule (the whole case, once it is past its
//! period) or on request (the reporter's data, or one passage of a free text).
//!
//! What stays is everything the statistics and the cost trends count: kind, unit, dates (the
//! occurred time moved to the start of its Stockholm month), consequence areas, risk, cause,
//! legal-duty facts, actions' states and dates, every cost. What goes: the reporter, the free
//! texts (replaced by a marker), photos, and people in the history and the outbox, who are
//! reduced to their role; bodies of mail are deleted. The history, otherwise never changed,
//! is rewritten here because the law that makes it a record also says when it must forget.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    attachments, corrective_actions, cost_entries, incident_events, incident_routing, incidents,
    insurance_claims, outbox,
};
use super::{AnyConnection, DbResult};
use crate::domain::IncidentKind;

/// A closed case not yet anonymised, and when it was closed.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub kind: IncidentKind,
    pub closed_at: NaiveDateTime,
}

/// Who a person was, in words that name no one.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "manager" => "ansvarig chef",
        "deputy" => "ersättare",
        "line_manager" | "top_manager" => "chef i linjen",
        "safety_coordinator" | "coordinator_alert" => "säkerhetssamordnare",
        "safety_representative" => "skyddsombud",
        "reporter" => "anmälare",
        "owner" => "åtgärdsansvarig",
        _ => "handläggare",
    }
}

const TERMINAL: [&str; 3] = ["closed", "rejected", "duplicate"];

/// Up to `limit` closed, rejected or duplicate cases of `kinds` that are not anonymised, by
/// id after `after`. The closing time is that of the last status change into one of those
/// states (the case's `updated_at` if its history has none).
pub fn candidates(
    conn: &mut AnyConnection,
    kinds: &[IncidentKind],
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<Candidate>> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let mut query = incidents::table
        .filter(incidents::anonymised_at.is_null())
        .filter(incidents::status.eq_any(TERMINAL))
        .filter(incidents::kind.eq_any(kinds))
        .order(incidents::id.asc())
        .limit(limit)
        .select((incidents::id, incidents::kind, incidents::updated_at))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(incidents::id.gt(after.to_owned()));
    }
    let rows: Vec<(String, IncidentKind, NaiveDateTime)> = query.load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let events: Vec<(String, NaiveDateTime, String)> = incident_events::table
        .filter(incident_events::incident_id.eq_any(ids))
        .filter(incident_events::kind.eq("status_changed"))
        .select((
            incident_events::incident_id,
            incident_events::at,
            incident_events::data,
        ))
        .load(conn)?;
    let mut closed: BTreeMap<String, NaiveDateTime> = BTreeMap::new();
    for (id, at, data) in events {
        let to = serde_json::from_str::<serde_json::Value>(&data)
            .ok()
            .and_then(|v| v["to"].as_str().map(str::to_owned));
        if to.is_some_and(|t| TERMINAL.contains(&t.as_str())) {
            let e = closed.entry(id).or_insert(at);
            *e = (*e).max(at);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, kind, updated)| Candidate {
            closed_at: closed.get(&id).copied().unwrap_or(updated),
            id,
            kind,
        })
        .collect())
}

/// Whether a case's data was already removed by a rule.
pub fn is_anonymised(conn: &mut AnyConnection, id: &str) -> DbResult<bool> {
    Ok(incidents::table
        .find(id)
        .select(incidents::anonymised_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten()
        .is_some())
}

/// When the case happened (as stored).
pub fn occurred_at(conn: &mut AnyConnection, id: &str) -> DbResult<NaiveDateTime> {
    Ok(incidents::table
        .find(id)
        .select(incidents::occurred_at)
        .first(conn)?)
}

/// What was removed from one case.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Removed {
    pub photos: usize,
    pub events: usize,
    pub mails: usize,
    pub actions: usize,
    pub cost_entries: usize,
}

/// People named in a case: address or name (lower case) → role label.
type People = BTreeMap<String, &'static str>;

fn people_of(conn: &mut AnyConnection, id: &str) -> DbResult<People> {
    let mut people = People::new();
    let (email, name, user): (Option<String>, Option<String>, Option<String>) = incidents::table
        .find(id)
        .select((
            incidents::reporter_email,
            incidents::reporter_name,
            incidents::reporter_user_id,
        ))
        .first(conn)?;
    for p in [email, name, user].into_iter().flatten() {
        people.insert(p.to_lowercase(), role_label("reporter"));
    }
    let mails: Vec<(String, String)> = outbox::table
        .filter(outbox::incident_id.eq(id))
        .select((outbox::recipient, outbox::role))
        .load(conn)?;
    for (to, role) in mails {
        people
            .entry(to.to_lowercase())
            .or_insert_with(|| role_label(&role));
    }
    let owners: Vec<String> = corrective_actions::table
        .filter(corrective_actions::incident_id.eq(id))
        .select(corrective_actions::owner_email)
        .load(conn)?;
    for o in owners {
        people
            .entry(o.to_lowercase())
            .or_insert_with(|| role_label("owner"));
    }
    // Routing records name people with their role: `{email, name, role}`.
    let data: Vec<String> = incident_events::table
        .filter(incident_events::incident_id.eq(id))
        .select(incident_events::data)
        .load(conn)?;
    for d in data {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&d) {
            collect_roles(&v, &mut people);
        }
    }
    Ok(people)
}

fn collect_roles(v: &serde_json::Value, people: &mut People) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(role) = map.get("role").and_then(|r| r.as_str()) {
                for key in ["email", "name", "to"] {
                    if let Some(p) = map.get(key).and_then(|x| x.as_str()) {
                        people
                            .entry(p.to_lowercase())
                            .or_insert_with(|| role_label(role));
                    }
                }
            }
            map.values().for_each(|x| collect_roles(x, people));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| collect_roles(x, people)),
        _ => {}
    }
}

/// A code, number, id or time: kept. Anything else a person may have written or be named by.
fn is_plain_token(s: &str) -> bool {
    (s.len() <= 64
        && !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-:.+".contains(c)))
        || chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// A person's name or address → their role; other words → the marker; codes stay.
fn scrub_str(s: &str, people: &People, marker: &str) -> String {
    if let Some(role) = people.get(&s.to_lowercase()) {
        return (*role).to_owned();
    }
    if s.contains('@') {
        return role_label("").to_owned();
    }
    if is_plain_token(s) {
        return s.to_owned();
    }
    marker.to_owned()
}

fn scrub(v: &mut serde_json::Value, people: &People, marker: &str) {
    match v {
        serde_json::Value::String(s) => *s = scrub_str(s, people, marker),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|x| scrub(x, people, marker)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|x| scrub(x, people, marker)),
        _ => {}
    }
}

fn mark(text: Option<String>, marker: &str) -> Option<String> {
    text.map(|_| marker.to_owned())
}

/// Removes every piece of personal data of one case (see the module). Call inside the case's
/// own transaction; returns what it removed.
pub fn anonymise_case(
    conn: &mut AnyConnection,
    id: &str,
    marker: &str,
    occurred_month_start: NaiveDateTime,
    now: NaiveDateTime,
) -> DbResult<Removed> {
    let people = people_of(conn, id)?;
    let (location, immediate, investigation, reason): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = incidents::table
        .find(id)
        .select((
            incidents::location,
            incidents::immediate_action,
            incidents::investigation,
            incidents::status_reason,
        ))
        .first(conn)?;
    diesel::update(incidents::table.find(id))
        .set((
            incidents::title.eq(marker),
            incidents::description.eq(marker),
            incidents::location.eq(mark(location, marker)),
            incidents::immediate_action.eq(mark(immediate, marker)),
            incidents::investigation.eq(mark(investigation, marker)),
            incidents::status_reason.eq(mark(reason, marker)),
            incidents::reporter_name.eq(None::<String>),
            incidents::reporter_email.eq(None::<String>),
            incidents::reporter_phone.eq(None::<String>),
            incidents::reporter_user_id.eq(None::<String>),
            incidents::latitude.eq(None::<f64>),
            incidents::longitude.eq(None::<f64>),
            incidents::occurred_at.eq(occurred_month_start),
            incidents::anonymised_at.eq(Some(now)),
            incidents::version.eq(incidents::version + 1),
        ))
        .execute(conn)?;
    let mut removed = Removed {
        photos: diesel::delete(attachments::table.filter(attachments::incident_id.eq(id)))
            .execute(conn)?,
        ..Removed::default()
    };
    removed.events = rewrite_events(conn, id, &people, marker)?;
    removed.mails = rewrite_mail(conn, id, &people, marker, now)?;
    type ActionRow = (String, Option<String>, Option<String>, String);
    let actions: Vec<ActionRow> = corrective_actions::table
        .filter(corrective_actions::incident_id.eq(id))
        .select((
            corrective_actions::id,
            corrective_actions::description,
            corrective_actions::state_reason,
            corrective_actions::created_by,
        ))
        .load(conn)?;
    for (aid, description, reason, by) in &actions {
        diesel::update(corrective_actions::table.find(aid))
            .set((
                corrective_actions::title.eq(marker),
                corrective_actions::description.eq(mark(description.clone(), marker)),
                corrective_actions::state_reason.eq(mark(reason.clone(), marker)),
                corrective_actions::owner_email.eq(role_label("owner")),
                corrective_actions::created_by.eq(scrub_str(by, &people, marker)),
            ))
            .execute(conn)?;
    }
    removed.actions = actions.len();
    type CostRow = (String, Option<String>, Option<String>, String);
    let costs: Vec<CostRow> = cost_entries::table
        .filter(cost_entries::incident_id.eq(id))
        .select((
            cost_entries::id,
            cost_entries::note,
            cost_entries::reason,
            cost_entries::entered_by,
        ))
        .load(conn)?;
    for (cid, note, reason, by) in &costs {
        diesel::update(cost_entries::table.find(cid))
            .set((
                cost_entries::note.eq(mark(note.clone(), marker)),
                cost_entries::reason.eq(mark(reason.clone(), marker)),
                cost_entries::entered_by.eq(scrub_str(by, &people, marker)),
            ))
            .execute(conn)?;
    }
    removed.cost_entries = costs.len();
    diesel::update(insurance_claims::table.filter(insurance_claims::incident_id.eq(id)))
        .set(insurance_claims::updated_by.eq(role_label("")))
        .execute(conn)?;
    diesel::update(incident_routing::table.filter(incident_routing::incident_id.eq(id)))
        .set(incident_routing::responsible.eq(role_label("manager")))
        .execute(conn)?;
    Ok(removed)
}

/// Every event of the case with people reduced to roles and free words to the marker.
fn rewrite_events(
    conn: &mut AnyConnection,
    id: &str,
    people: &People,
    marker: &str,
) -> DbResult<usize> {
    let events: Vec<(String, Option<String>, String)> = incident_events::table
        .filter(incident_events::incident_id.eq(id))
        .select((
            incident_events::id,
            incident_events::actor,
            incident_events::data,
        ))
        .load(conn)?;
    for (eid, actor, data) in &events {
        let mut value =
            serde_json::from_str::<serde_json::Value>(data).unwrap_or(serde_json::Value::Null);
        scrub(&mut value, people, marker);
        diesel::update(incident_events::table.find(eid))
            .set((
                incident_events::actor.eq(actor.as_deref().map(|a| scrub_str(a, people, marker))),
                incident_events::data.eq(value.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(events.len())
}

/// The case's mail: recipients reduced to roles, subjects to the marker, bodies deleted; mail
/// not yet sent is given up (its text is gone).
fn rewrite_mail(
    conn: &mut AnyConnection,
    id: &str,
    people: &People,
    marker: &str,
    now: NaiveDateTime,
) -> DbResult<usize> {
    let mails: Vec<(String, String, String)> = outbox::table
        .filter(outbox::incident_id.eq(id))
        .select((outbox::id, outbox::recipient, outbox::state))
        .load(conn)?;
    for (mid, to, state) in &mails {
        let state = if state == super::outbox::SENT {
            super::outbox::SENT
        } else {
            super::outbox::DEAD
        };
        diesel::update(outbox::table.find(mid))
            .set((
                outbox::recipient.eq(scrub_str(to, people, marker)),
                outbox::subject.eq(marker),
                outbox::body_text.eq(""),
                outbox::body_html.eq(""),
                outbox::last_error.eq(None::<String>),
                outbox::secret_ref.eq(None::<String>),
                outbox::state.eq(state),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::lease_owner.eq(None::<String>),
                // Never reported as dead mail: it was given up on purpose.
                outbox::dead_alarmed_at.eq(Some(now)),
                outbox::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(mails.len())
}

/// Removal on request: the reporter's name, e-mail, phone and login link to the case, and
/// their name or address wherever the history or the outbox holds it (reduced to
/// "anmälare"). Returns whether the case had any reporter data.
pub fn remove_reporter(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    let (email, name, phone, user): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = incidents::table
        .find(id)
        .select((
            incidents::reporter_email,
            incidents::reporter_name,
            incidents::reporter_phone,
            incidents::reporter_user_id,
        ))
        .first(conn)?;
    let mut people = People::new();
    for p in [&email, &name, &phone, &user].into_iter().flatten() {
        people.insert(p.to_lowercase(), role_label("reporter"));
    }
    if people.is_empty() {
        return Ok(false);
    }
    diesel::update(incidents::table.find(id))
        .set((
            incidents::reporter_name.eq(None::<String>),
            incidents::reporter_email.eq(None::<String>),
            incidents::reporter_phone.eq(None::<String>),
            incidents::reporter_user_id.eq(None::<String>),
            incidents::version.eq(incidents::version + 1),
            incidents::updated_at.eq(now),
        ))
        .execute(conn)?;
    replace_in_history(conn, id, &people)?;
    // The receipt went to the reporter: keep that it went, not where.
    diesel::update(
        outbox::table
            .filter(outbox::incident_id.eq(id))
            .filter(outbox::recipient.eq_any(people.keys().cloned().collect::<Vec<_>>())),
    )
    .set((
        outbox::recipient.eq(role_label("reporter")),
        outbox::body_text.eq(""),
        outbox::body_html.eq(""),
    ))
    .execute(conn)?;
    Ok(true)
}

/// Replaces each whole string equal to a key of `people` (any case) in the case's events and
/// actors with its role; other strings are left alone.
fn replace_in_history(conn: &mut AnyConnection, id: &str, people: &People) -> DbResult<()> {
    fn walk(v: &mut serde_json::Value, people: &People) {
        match v {
            serde_json::Value::String(s) => {
                if let Some(role) = people.get(&s.to_lowercase()) {
                    *s = (*role).to_owned();
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|x| walk(x, people)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|x| walk(x, people)),
            _ => {}
        }
    }
    let events: Vec<(String, Option<String>, String)> = incident_events::table
        .filter(incident_events::incident_id.eq(id))
        .select((
            incident_events::id,
            incident_events::actor,
            incident_events::data,
        ))
        .load(conn)?;
    for (eid, actor, data) in events {
        let mut value =
            serde_json::from_str::<serde_json::Value>(&data).unwrap_or(serde_json::Value::Null);
        walk(&mut value, people);
        let actor = actor.map(|a| people.get(&a.to_lowercase()).map_or(a, |r| (*r).to_owned()));
        diesel::update(incident_events::table.find(&eid))
            .set((
                incident_events::actor.eq(actor),
                incident_events::data.eq(value.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Which free texts a passage may be redacted from.
pub const REDACTABLE: [&str; 5] = [
    "title",
    "description",
    "location",
    "immediate_action",
    "investigation",
];

/// Removal on request: every occurrence of `passage` in the case's free texts, its comments
/// and the history of their changes is replaced by `replacement`. Returns how many texts
/// changed (0: the passage is nowhere).
pub fn redact_passage(
    conn: &mut AnyConnection,
    id: &str,
    passage: &str,
    replacement: &str,
    now: NaiveDateTime,
) -> DbResult<usize> {
    let row: (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = incidents::table
        .find(id)
        .select((
            incidents::title,
            incidents::description,
            incidents::location,
            incidents::immediate_action,
            incidents::investigation,
        ))
        .first(conn)?;
    let fix = |s: &str| s.replace(passage, replacement);
    let fix_opt = |s: &Option<String>| s.as_deref().map(fix);
    let mut changed = [
        Some(&row.0),
        Some(&row.1),
        row.2.as_ref(),
        row.3.as_ref(),
        row.4.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| s.contains(passage))
    .count();
    if changed > 0 {
        diesel::update(incidents::table.find(id))
            .set((
                incidents::title.eq(fix(&row.0)),
                incidents::description.eq(fix(&row.1)),
                incidents::location.eq(fix_opt(&row.2)),
                incidents::immediate_action.eq(fix_opt(&row.3)),
                incidents::investigation.eq(fix_opt(&row.4)),
                incidents::version.eq(incidents::version + 1),
                incidents::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let events: Vec<(String, String)> = incident_events::table
        .filter(incident_events::incident_id.eq(id))
        .select((incident_events::id, incident_events::data))
        .load(conn)?;
    // The passage as it appears inside a JSON string (quotes and backslashes escaped).
    let encoded = serde_json::to_string(passage).unwrap_or_default();
    let inner = encoded.trim_matches('"');
    let encoded_replacement = serde_json::to_string(replacement).unwrap_or_default();
    let inner_replacement = encoded_replacement.trim_matches('"');
    for (eid, data) in events {
        if !inner.is_empty() && data.contains(inner) {
            diesel::update(incident_events::table.find(&eid))
                .set(incident_events::data.eq(data.replace(inner, inner_replacement)))
                .execute(conn)?;
            changed += 1;
        }
    }
    // Mail subjects carry the title; bodies may quote it.
    let mails: Vec<(String, String, String, String)> = outbox::table
        .filter(outbox::incident_id.eq(id))
        .select((
            outbox::id,
            outbox::subject,
            outbox::body_text,
            outbox::body_html,
        ))
        .load(conn)?;
    for (mid, subject, text, html) in mails {
        if subject.contains(passage) || text.contains(passage) || html.contains(passage) {
            diesel::update(outbox::table.find(&mid))
                .set((
                    outbox::subject.eq(fix(&subject)),
                    outbox::body_text.eq(fix(&text)),
                    outbox::body_html.eq(fix(&html)),
                ))
                .execute(conn)?;
            changed += 1;
        }
    }
    Ok(changed)
}
