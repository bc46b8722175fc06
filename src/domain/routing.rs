//! Who is told about a report, and why: the line organisation's rules as pure functions.
//!
//! * The manager of the incident's unit; the deputy when the manager is away (or missing);
//!   if the unit has neither, the first unit up the parent chain that has someone; at the top,
//!   the configured safety coordinators.
//! * The safety representative (skyddsombud) gets a copy when a person was or could have been
//!   hurt, and for the kinds where the employer must involve them (configurable).
//! * Extraordinary events also go at once to the safety coordinators and to the head of the
//!   administration or company the unit belongs to.
//! * The reporter gets a receipt if they left an e-mail address.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Consequence, IncidentKind};

/// A named e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: Option<String>,
    pub email: String,
}

/// A unit as routing sees it.
#[derive(Debug, Clone)]
pub struct UnitContacts {
    pub id: String,
    pub name: String,
    pub manager: Option<Person>,
    pub deputy: Option<Person>,
    /// The manager's absence, both dates inclusive (Stockholm calendar days).
    pub manager_away: Option<(NaiveDate, NaiveDate)>,
    pub safety_rep_email: Option<String>,
}

impl UnitContacts {
    fn manager_is_away(&self, today: NaiveDate) -> bool {
        self.manager_away
            .is_some_and(|(from, until)| from <= today && today <= until)
    }

    /// Whether anyone could receive this unit's reports.
    pub fn has_someone(&self) -> bool {
        self.manager.is_some() || self.deputy.is_some()
    }
}

/// Why someone is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Responsible for the case: the unit's manager.
    Manager,
    /// Responsible for the case while the manager is away or missing.
    Deputy,
    /// Responsible because the unit itself has no one: someone up the line.
    LineManager,
    /// Responsible because no one in the line can be: the root fallback.
    SafetyCoordinator,
    /// A copy: skyddsombud.
    SafetyRepresentative,
    /// A copy: the head of the administration or company, for serious events.
    TopManager,
    /// A copy: the safety coordinators, for serious events.
    CoordinatorAlert,
    /// The reporter's receipt.
    Reporter,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Deputy => "deputy",
            Role::LineManager => "line_manager",
            Role::SafetyCoordinator => "safety_coordinator",
            Role::SafetyRepresentative => "safety_representative",
            Role::TopManager => "top_manager",
            Role::CoordinatorAlert => "coordinator_alert",
            Role::Reporter => "reporter",
        }
    }

    /// Whether this recipient is responsible for acknowledging the case.
    pub fn is_responsible(self) -> bool {
        matches!(
            self,
            Role::Manager | Role::Deputy | Role::LineManager | Role::SafetyCoordinator
        )
    }
}

/// One recipient and the reason, in Swedish and English, for the case history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    /// The unit whose manager or deputy this is, if any.
    pub unit_id: Option<String>,
    pub reason: String,
}

/// What the configuration says about routing.
#[derive(Debug, Clone)]
pub struct RoutingPolicy {
    pub safety_coordinators: Vec<String>,
    /// Kinds for which the skyddsombud gets a copy.
    pub safety_rep_kinds: BTreeSet<IncidentKind>,
    /// Consequence areas for which the skyddsombud gets a copy.
    pub safety_rep_consequences: BTreeSet<Consequence>,
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        RoutingPolicy {
            safety_coordinators: Vec::new(),
            safety_rep_kinds: [
                IncidentKind::ThreatViolence,
                IncidentKind::Accident,
                IncidentKind::WorkIllness,
                IncidentKind::CommutingAccident,
            ]
            .into_iter()
            .collect(),
            safety_rep_consequences: [Consequence::Person].into_iter().collect(),
        }
    }
}

/// Whether a report is serious: it alerts the top of the line at once and has the short
/// acknowledgement deadline. (Reports have no death/serious-injury field yet; when one is
/// added it belongs here.)
pub fn is_serious(kind: IncidentKind) -> bool {
    kind == IncidentKind::ExtraordinaryEvent
}

/// Who gets what for one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutingDecision {
    /// Responsible for acknowledging: usually one person; the coordinators at the root.
    pub responsible: Vec<Recipient>,
    /// Copies (skyddsombud, top manager, coordinator alerts). Never someone already responsible.
    pub copies: Vec<Recipient>,
    /// The reporter's receipt address.
    pub receipt: Option<String>,
    pub serious: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("no one in the line above unit {0} can receive reports, and no safety coordinators are configured")]
    NoOne(String),
}

/// The person responsible in `chain` (the unit first, the root last), starting at `start`.
/// `None` if no unit from `start` up has an available manager or deputy.
pub fn responsible_in_line(
    chain: &[UnitContacts],
    start: usize,
    today: NaiveDate,
) -> Option<Recipient> {
    let origin = chain.get(start)?;
    for (i, unit) in chain.iter().enumerate().skip(start) {
        let away = unit.manager_is_away(today);
        let (person, role, why_sv, why_en) = match (&unit.manager, &unit.deputy, away) {
            (Some(m), _, false) => (m, Role::Manager, "chef för", "manager of"),
            (Some(_), Some(d), true) => (
                d,
                Role::Deputy,
                "ersättare (chefen är frånvarande) för",
                "deputy (the manager is away) of",
            ),
            (None, Some(d), _) => (
                d,
                Role::Deputy,
                "ersättare (ingen chef angiven) för",
                "deputy (no manager given) of",
            ),
            _ => continue,
        };
        let mut reason = format!("{why_sv} {} / {why_en} {}", unit.name, unit.name);
        let role = if i == start {
            role
        } else {
            reason.push_str(&format!(
                "; {} saknar tillgänglig chef och ersättare / {} has no available manager or deputy",
                origin.name, origin.name
            ));
            Role::LineManager
        };
        return Some(Recipient {
            email: person.email.clone(),
            name: person.name.clone(),
            role,
            unit_id: Some(unit.id.clone()),
            reason,
        });
    }
    None
}

fn coordinators(policy: &RoutingPolicy, role: Role, reason: &str) -> Vec<Recipient> {
    policy
        .safety_coordinators
        .iter()
        .map(|email| Recipient {
            email: email.clone(),
            name: None,
            role,
            unit_id: None,
            reason: reason.to_owned(),
        })
        .collect()
}

/// Whoever is responsible when no one in the line is available from `start`: the safety
/// coordinators, else (only if none are configured) the first manager or deputy up the line
/// even if away — a mail to an away manager beats a mail to no one.
fn fallback(
    chain: &[UnitContacts],
    start: usize,
    policy: &RoutingPolicy,
) -> Result<Vec<Recipient>, RoutingError> {
    let coordinators = coordinators(
        policy,
        Role::SafetyCoordinator,
        "ingen i linjen är tillgänglig: säkerhetssamordnare / no one in the line is available: safety coordinators",
    );
    if !coordinators.is_empty() {
        return Ok(coordinators);
    }
    for unit in chain.iter().skip(start) {
        if let Some(p) = unit.manager.as_ref().or(unit.deputy.as_ref()) {
            return Ok(vec![Recipient {
                email: p.email.clone(),
                name: p.name.clone(),
                role: Role::LineManager,
                unit_id: Some(unit.id.clone()),
                reason: format!(
                    "ingen tillgänglig i linjen, ingen säkerhetssamordnare: {} / no one available in the line and no safety coordinators: {}",
                    unit.name, unit.name
                ),
            }]);
        }
    }
    Err(RoutingError::NoOne(
        chain.get(start).map(|u| u.name.clone()).unwrap_or_default(),
    ))
}

/// Routes one report. `chain` is the incident's unit first and the root last.
pub fn route(
    kind: IncidentKind,
    consequences: &BTreeSet<Consequence>,
    reporter_email: Option<&str>,
    chain: &[UnitContacts],
    policy: &RoutingPolicy,
    today: NaiveDate,
) -> Result<RoutingDecision, RoutingError> {
    let responsible = match responsible_in_line(chain, 0, today) {
        Some(r) => vec![r],
        None => fallback(chain, 0, policy)?,
    };
    let serious = is_serious(kind);
    let mut copies = Vec::new();

    let rep_needed = policy.safety_rep_kinds.contains(&kind)
        || consequences
            .iter()
            .any(|c| policy.safety_rep_consequences.contains(c));
    if rep_needed {
        // The unit's own skyddsombud, else the nearest one up the line (huvudskyddsombud).
        if let Some(unit) = chain.iter().find(|u| u.safety_rep_email.is_some()) {
            if let Some(email) = &unit.safety_rep_email {
                let why = if policy.safety_rep_kinds.contains(&kind) {
                    format!(
                        "händelsetypen {} / the kind {}",
                        kind.label(crate::i18n::Lang::Sv),
                        kind.label(crate::i18n::Lang::En)
                    )
                } else {
                    "en person berörs / a person is affected".to_owned()
                };
                copies.push(Recipient {
                    email: email.clone(),
                    name: None,
                    role: Role::SafetyRepresentative,
                    unit_id: Some(unit.id.clone()),
                    reason: format!(
                        "skyddsombud för {} ({why}) / safety representative",
                        unit.name
                    ),
                });
            }
        }
    }

    if serious {
        // The head of the administration or company: the unit just below the root.
        let top = if chain.len() >= 2 { chain.len() - 2 } else { 0 };
        if let Some(r) = responsible_in_line(chain, top, today) {
            copies.push(Recipient {
                role: Role::TopManager,
                reason: format!(
                    "allvarlig händelse: högsta chef i linjen, {} / serious event: head of the line, {}",
                    r.reason, r.reason
                ),
                ..r
            });
        }
        copies.extend(coordinators(
            policy,
            Role::CoordinatorAlert,
            "allvarlig händelse: säkerhetssamordnare larmas direkt / serious event: safety coordinators alerted at once",
        ));
    }

    // One mail per address: the first (most responsible) role wins.
    let mut seen: BTreeSet<String> = responsible
        .iter()
        .map(|r| r.email.to_ascii_lowercase())
        .collect();
    copies.retain(|c| seen.insert(c.email.to_ascii_lowercase()));

    Ok(RoutingDecision {
        responsible,
        copies,
        receipt: reporter_email.map(str::to_owned),
        serious,
    })
}

/// Who gets the escalation when the responsible person has not acknowledged: the line from the
/// unit above the one that was responsible; the coordinators above the root.
pub fn escalation_target(
    chain: &[UnitContacts],
    responsible_unit: Option<&str>,
    policy: &RoutingPolicy,
    today: NaiveDate,
) -> Vec<Recipient> {
    let above = responsible_unit
        .and_then(|id| chain.iter().position(|u| u.id == id))
        .map(|i| i + 1);
    let found = above.and_then(|start| responsible_in_line(chain, start, today));
    match found {
        Some(r) => vec![r],
        None => coordinators(
            policy,
            Role::SafetyCoordinator,
            "ingen högre upp i linjen: säkerhetssamordnare / no one higher up the line: safety coordinators",
        ),
    }
}

/// Units (by key) from which no one can be reached: no unit from it up to the root has a
/// manager or deputy, and there are no safety coordinators. An import that leaves any such
/// unit is refused.
pub fn unreachable_units<K: Ord + Clone>(
    parents: &BTreeMap<K, Option<K>>,
    has_someone: &BTreeMap<K, bool>,
    have_coordinators: bool,
) -> Vec<K> {
    if have_coordinators {
        return Vec::new();
    }
    let mut out = Vec::new();
    for unit in parents.keys() {
        let mut current = Some(unit);
        let mut steps = 0;
        let mut reached = false;
        while let Some(c) = current {
            if has_someone.get(c).copied().unwrap_or(false) {
                reached = true;
                break;
            }
            steps += 1;
            if steps > parents.len() {
                break;
            }
            current = parents.get(c).and_then(Option::as_ref);
        }
        if !reached {
            out.push(unit.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: &str) -> Option<Person> {
        Some(Person {
            name: Some(email.split('@').next().unwrap_or("").to_owned()),
            email: email.to_owned(),
        })
    }

    fn unit(id: &str, manager: Option<&str>, deputy: Option<&str>) -> UnitContacts {
        UnitContacts {
            id: id.to_owned(),
            name: format!("Enhet {id}"),
            manager: manager.and_then(person),
            deputy: deputy.and_then(person),
            manager_away: None,
            safety_rep_email: None,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    /// school → department → administration → root
    fn chain() -> Vec<UnitContacts> {
        vec![
            unit("school", Some("rektor@x.se"), Some("bitr@x.se")),
            unit("dept", Some("avd@x.se"), None),
            unit("adm", Some("forv@x.se"), Some("forv.bitr@x.se")),
            unit("root", Some("kd@x.se"), None),
        ]
    }

    fn policy() -> RoutingPolicy {
        RoutingPolicy {
            safety_coordinators: vec!["sakerhet@x.se".into()],
            ..RoutingPolicy::default()
        }
    }

    fn route_near_miss(chain: &[UnitContacts]) -> RoutingDecision {
        route(
            IncidentKind::NearMiss,
            &BTreeSet::new(),
            None,
            chain,
            &policy(),
            day(25),
        )
        .unwrap()
    }

    #[test]
    fn the_manager_of_the_unit() {
        let d = route_near_miss(&chain());
        assert_eq!(d.responsible.len(), 1);
        assert_eq!(d.responsible[0].email, "rektor@x.se");
        assert_eq!(d.responsible[0].role, Role::Manager);
        assert!(d.copies.is_empty());
        assert!(!d.serious);
    }

    #[test]
    fn the_deputy_when_the_manager_is_away() {
        let mut c = chain();
        c[0].manager_away = Some((day(20), day(25)));
        let d = route_near_miss(&c);
        assert_eq!(d.responsible[0].email, "bitr@x.se");
        assert_eq!(d.responsible[0].role, Role::Deputy);
        // The absence is over the next day.
        let next = route(
            IncidentKind::NearMiss,
            &BTreeSet::new(),
            None,
            &c,
            &policy(),
            day(26),
        )
        .unwrap();
        assert_eq!(next.responsible[0].email, "rektor@x.se");
    }

    #[test]
    fn up_the_line_when_the_unit_has_no_one() {
        let mut c = chain();
        c[0] = unit("school", None, None);
        let d = route_near_miss(&c);
        assert_eq!(d.responsible[0].email, "avd@x.se");
        assert_eq!(d.responsible[0].role, Role::LineManager);
        // Away without deputy also walks up.
        let mut c = chain();
        c[0] = unit("school", Some("rektor@x.se"), None);
        c[0].manager_away = Some((day(1), day(30)));
        c[1].manager_away = Some((day(1), day(30)));
        let d = route_near_miss(&c);
        assert_eq!(d.responsible[0].email, "forv@x.se");
        assert_eq!(d.responsible[0].unit_id.as_deref(), Some("adm"));
    }

    #[test]
    fn the_coordinators_when_no_one_in_the_line() {
        let c = vec![unit("school", None, None), unit("root", None, None)];
        let d = route_near_miss(&c);
        assert_eq!(d.responsible[0].email, "sakerhet@x.se");
        assert_eq!(d.responsible[0].role, Role::SafetyCoordinator);
        let none = RoutingPolicy::default();
        assert!(route(
            IncidentKind::NearMiss,
            &BTreeSet::new(),
            None,
            &c,
            &none,
            day(25)
        )
        .is_err());
    }

    #[test]
    fn skyddsombud_for_persons_and_listed_kinds() {
        let mut c = chain();
        c[2].safety_rep_email = Some("so@x.se".into());
        let person: BTreeSet<_> = [Consequence::Person].into_iter().collect();
        let d = route(
            IncidentKind::NearMiss,
            &person,
            Some("eva@x.se"),
            &c,
            &policy(),
            day(25),
        )
        .unwrap();
        assert_eq!(d.copies.len(), 1);
        assert_eq!(d.copies[0].email, "so@x.se");
        assert_eq!(d.copies[0].role, Role::SafetyRepresentative);
        assert_eq!(d.receipt.as_deref(), Some("eva@x.se"));
        for kind in [
            IncidentKind::ThreatViolence,
            IncidentKind::Accident,
            IncidentKind::WorkIllness,
            IncidentKind::CommutingAccident,
        ] {
            let d = route(kind, &BTreeSet::new(), None, &c, &policy(), day(25)).unwrap();
            assert_eq!(d.copies.len(), 1, "{kind}");
        }
        let d = route(
            IncidentKind::PropertyDamage,
            &BTreeSet::new(),
            None,
            &c,
            &policy(),
            day(25),
        )
        .unwrap();
        assert!(d.copies.is_empty());
    }

    #[test]
    fn extraordinary_events_alert_the_top_and_the_coordinators() {
        let d = route(
            IncidentKind::ExtraordinaryEvent,
            &BTreeSet::new(),
            None,
            &chain(),
            &policy(),
            day(25),
        )
        .unwrap();
        assert!(d.serious);
        let emails: Vec<_> = d.copies.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(emails, ["forv@x.se", "sakerhet@x.se"]);
        assert_eq!(d.copies[0].role, Role::TopManager);
        assert_eq!(d.copies[1].role, Role::CoordinatorAlert);
    }

    #[test]
    fn nobody_gets_two_mails() {
        let c = vec![
            unit("adm", Some("forv@x.se"), None),
            unit("root", Some("kd@x.se"), None),
        ];
        let d = route(
            IncidentKind::ExtraordinaryEvent,
            &BTreeSet::new(),
            None,
            &c,
            &policy(),
            day(25),
        )
        .unwrap();
        assert_eq!(d.responsible[0].email, "forv@x.se");
        let emails: Vec<_> = d.copies.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(emails, ["sakerhet@x.se"]);
    }

    #[test]
    fn escalation_goes_one_level_up() {
        let c = chain();
        let t = escalation_target(&c, Some("school"), &policy(), day(25));
        assert_eq!(t[0].email, "avd@x.se");
        let t = escalation_target(&c, Some("root"), &policy(), day(25));
        assert_eq!(t[0].email, "sakerhet@x.se");
        let t = escalation_target(&c, None, &policy(), day(25));
        assert_eq!(t[0].email, "sakerhet@x.se");
    }

    #[test]
    fn imports_leaving_someone_unreachable_are_found() {
        let parents: BTreeMap<&str, Option<&str>> =
            [("root", None), ("a", Some("root")), ("b", Some("a"))]
                .into_iter()
                .collect();
        let mut someone: BTreeMap<&str, bool> = [("root", false), ("a", true), ("b", false)]
            .into_iter()
            .collect();
        assert_eq!(unreachable_units(&parents, &someone, false), vec!["root"]);
        assert!(unreachable_units(&parents, &someone, true).is_empty());
        someone.insert("root", true);
        assert!(unreachable_units(&parents, &someone, false).is_empty());
    }
}
