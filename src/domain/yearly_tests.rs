//! The yearly figures of one hand-built group, each worked out by hand (see the comments).

use chrono::{Duration, TimeZone};

use super::*;
use crate::domain::risk::Grade;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn risk(l: i64, c: i64) -> Option<Risk> {
    Some(Risk {
        likelihood: Grade::parse(l).unwrap(),
        consequence: Grade::parse(c).unwrap(),
    })
}

fn case(id: &str, unit: &str, kind: IncidentKind, reported: DateTime<Utc>) -> CaseFacts {
    CaseFacts {
        id: id.into(),
        unit_id: unit.into(),
        kind,
        status: IncidentStatus::New,
        reported_at: reported,
        consequences: vec![],
        injury: InjurySeverity::None,
        several_injured: false,
        serious_danger: false,
        risk: None,
        cause: None,
        ack_deadline: Some(reported + Duration::days(2)),
        acknowledged_at: None,
        escalated_at: None,
        closed_at: None,
        av: DutyRecord::default(),
        fk: DutyRecord::default(),
        net_cost_ore: 0,
    }
}

fn reported(at: DateTime<Utc>, reference: &str) -> DutyRecord {
    DutyRecord {
        confirmed: Some(true),
        reported_at: Some(at),
        reference: Some(reference.into()),
    }
}

fn cases() -> Vec<CaseFacts> {
    use IncidentKind::*;
    let mut c1 = case("c1", "A1", Accident, at(2026, 1, 10, 10, 0));
    c1.consequences = vec![Consequence::Person];
    c1.injury = InjurySeverity::Serious;
    c1.risk = risk(2, 3);
    c1.cause = Some("teknik".into());
    c1.acknowledged_at = Some(at(2026, 1, 10, 11, 0)); // 60 min
    c1.closed_at = Some(at(2026, 3, 1, 9, 0));
    c1.av = reported(at(2026, 1, 10, 20, 0), "AV-1"); // within 24 h
    c1.fk = reported(at(2026, 1, 20, 8, 0), "FK-1"); // late
    let mut c2 = case("c2", "A", NearMiss, at(2026, 2, 5, 8, 0));
    c2.risk = risk(1, 1);
    c2.cause = Some("organisation".into());
    c2.acknowledged_at = Some(at(2026, 2, 5, 8, 20)); // 20 min; open at the end
    let mut c3 = case("c3", "B", ExtraordinaryEvent, at(2026, 3, 3, 12, 0));
    c3.consequences = vec![Consequence::Service];
    c3.ack_deadline = Some(at(2026, 3, 3, 16, 0));
    c3.acknowledged_at = Some(at(2026, 3, 3, 22, 0)); // 600 min, after the deadline
    c3.escalated_at = Some(at(2026, 3, 3, 20, 0));
    c3.closed_at = Some(at(2026, 4, 1, 9, 0));
    let mut c4 = case("c4", "B", Environmental, at(2026, 4, 4, 9, 0));
    c4.consequences = vec![Consequence::Environment];
    c4.risk = risk(3, 4);
    c4.acknowledged_at = Some(at(2026, 4, 4, 9, 30)); // 30 min
    c4.net_cost_ore = 200_000_000; // 2 000 000 kr
    let c5 = case("c5", "R", RiskObservation, at(2026, 5, 5, 9, 0)); // never acknowledged
    let mut c6 = case("c6", "A1", Accident, at(2026, 6, 6, 9, 0));
    c6.consequences = vec![Consequence::Person];
    c6.injury = InjurySeverity::Fatal;
    c6.acknowledged_at = Some(at(2026, 6, 6, 9, 40)); // 40 min
    c6.av.confirmed = Some(true); // not reported
    c6.closed_at = Some(at(2026, 7, 1, 9, 0));
    let mut p1 = case("p1", "A", Accident, at(2025, 6, 1, 9, 0));
    p1.injury = InjurySeverity::Serious;
    p1.closed_at = Some(at(2025, 7, 1, 9, 0));
    let o1 = case("o1", "B", NearMiss, at(2024, 11, 1, 9, 0)); // still open
    vec![c1, c2, c3, c4, c5, c6, p1, o1]
}

fn action(
    case: &str,
    unit: &str,
    state: ActionState,
    created: NaiveDate,
    due: NaiveDate,
    done: Option<NaiveDate>,
) -> ActionFacts {
    ActionFacts {
        case_id: case.into(),
        unit_id: unit.into(),
        state,
        created_on: created,
        due,
        done_on: done,
    }
}

fn actions() -> Vec<ActionFacts> {
    use ActionState::*;
    vec![
        action(
            "c1",
            "A1",
            Verified,
            day(2026, 1, 15),
            day(2026, 2, 1),
            Some(day(2026, 1, 30)),
        ),
        action(
            "c2",
            "A",
            Done,
            day(2026, 2, 10),
            day(2026, 3, 1),
            Some(day(2026, 3, 5)),
        ),
        action(
            "c4",
            "B",
            InProgress,
            day(2026, 4, 10),
            day(2026, 5, 1),
            None,
        ),
        action(
            "c3",
            "B",
            Cancelled,
            day(2026, 3, 10),
            day(2026, 4, 1),
            None,
        ),
        action("c5", "R", Planned, day(2026, 12, 1), day(2027, 1, 15), None),
        action("o1", "B", Planned, day(2025, 1, 1), day(2025, 2, 1), None),
    ]
}

fn cost(unit: &str, y: i32, m: u32, cat: &str, cost: i64, recovery: i64) -> CostCell {
    CostCell {
        unit_id: unit.into(),
        month: Month::new(y, m).unwrap(),
        category: cat.into(),
        cost_ore: cost,
        recovery_ore: recovery,
    }
}

fn costs_fixture() -> Vec<CostCell> {
    vec![
        cost("A1", 2026, 1, "sak", 10_000_000, 2_000_000),
        cost("B", 2026, 4, "sanering", 200_000_000, 0),
        cost("B", 2025, 4, "sanering", 50_000_000, 0),
        cost("R", 2026, 5, "sak", 1_000_000, 0),
    ]
}

fn tree() -> Tree {
    let unit = |id: &str, name: &str| UnitRef {
        id: id.into(),
        name: name.into(),
    };
    Tree {
        root: unit("R", "Koncernen"),
        children: vec![unit("A", "Utbildning"), unit("B", "Teknik")],
        child_of: [("A", 0), ("A1", 0), ("B", 1)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        employees: [("A", 100), ("A1", 50), ("B", 200)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    }
}

struct Fixture {
    tree: Tree,
    cases: Vec<CaseFacts>,
    actions: Vec<ActionFacts>,
    rollup: Vec<RollupCell>,
    costs: Vec<CostCell>,
}

fn fixture() -> Fixture {
    let cases = cases();
    let now = at(2027, 2, 1, 12, 0);
    let rollup = rollup(&cases, now)
        .into_iter()
        .map(|((unit_id, month, dim), n)| RollupCell {
            unit_id,
            month: Month::from_key(month).unwrap(),
            dim,
            n,
        })
        .collect();
    Fixture {
        tree: tree(),
        cases,
        actions: actions(),
        rollup,
        costs: costs_fixture(),
    }
}

fn input(f: &Fixture) -> Input<'_> {
    Input {
        period: Period::year(2026).unwrap(),
        tree: &f.tree,
        cases: &f.cases,
        actions: &f.actions,
        rollup: &f.rollup,
        costs: &f.costs,
        large_loss_ore: 100_000_000, // 1 000 000 kr
        now: at(2027, 2, 1, 12, 0),
    }
}

#[test]
fn vision_lines_count_the_cases_and_the_year_before() {
    let f = fixture();
    let v = vision(&input(&f));
    let line = |l: VisionLine| v.iter().find(|x| x.line == l).unwrap().clone();
    assert_eq!(line(VisionLine::Deaths).cases, vec!["c6"]);
    let serious = line(VisionLine::SeriousInjuries);
    assert_eq!((serious.count, serious.previous), (1, 1));
    assert_eq!(serious.cases, vec!["c1"]);
    assert_eq!(
        line(VisionLine::SeriousEnvironmentalDamage).cases,
        vec!["c4"]
    );
    assert_eq!(line(VisionLine::LargeLosses).cases, vec!["c4"]);
    assert_eq!(line(VisionLine::ExtraordinaryEvents).cases, vec!["c3"]);
    // A threshold above the loss: no large loss.
    let mut i = input(&f);
    i.large_loss_ore = 300_000_000;
    let v = vision(&i);
    assert_eq!(
        v.iter()
            .find(|x| x.line == VisionLine::LargeLosses)
            .unwrap()
            .count,
        0
    );
}

#[test]
fn reporting_culture_from_the_rollup() {
    let f = fixture();
    let r = reporting(&input(&f));
    assert_eq!(r.months.len(), 12);
    assert_eq!(r.months[0], "2026-01");
    assert_eq!((r.reports, r.previous_reports), (6, 1));
    let accidents = r.by_kind.iter().find(|s| s.key == "accident").unwrap();
    assert_eq!(accidents.months[0], 1, "January");
    assert_eq!(accidents.months[5], 1, "June");
    assert_eq!((accidents.total, accidents.previous), (2, 1));
    let person = r.by_consequence.iter().find(|s| s.key == "person").unwrap();
    assert_eq!(person.total, 2);
    // Two near-misses and observations to two accidents: 1.00.
    assert_eq!(r.near_misses_and_observations, 2);
    assert_eq!(r.proactive_per_accident_x100, Some(100));
    // 6 reports, 350 employees: 1.714… per 100, in hundredths 171.
    assert_eq!(r.employees, Some(350));
    assert_eq!(r.per_100_employees_x100, Some(171));
}

#[test]
fn handling_times_shares_and_the_matrix() {
    let f = fixture();
    let h = handling(&input(&f));
    assert_eq!(h.cases, 6);
    // Minutes to acknowledge: 20, 30, 40, 60, 600 — median rank 3, p90 rank 5.
    assert_eq!(h.acknowledged, 5);
    assert_eq!(h.ack_median_minutes, Some(40));
    assert_eq!(h.ack_p90_minutes, Some(600));
    // Within the deadline: c1, c2, c4, c6 of six (c3 late, c5 never).
    assert_eq!((h.within_deadline, h.with_deadline), (4, 6));
    assert_eq!(h.within_deadline_bp, Some(6667));
    assert_eq!((h.escalated, h.escalated_bp), (1, Some(1667)));
    assert_eq!((h.closed, h.closed_bp), (3, Some(5000)));
    // Open on 31 December: c2 (329 days), c4 (271), c5 (240) and o1 from 2024 (790).
    assert_eq!(h.open_at_end, 4);
    assert_eq!(h.open_age_median_days, Some(271));
    let buckets: Vec<i64> = h.open_age.iter().map(|b| b.cases).collect();
    assert_eq!(buckets, vec![0, 0, 3, 1]);
    assert_eq!(h.risk_matrix[1][2], 1);
    assert_eq!(h.risk_matrix[0][0], 1);
    assert_eq!(h.risk_matrix[2][3], 1);
    assert_eq!(h.risk_matrix.iter().flatten().sum::<i64>(), 3);
    assert_eq!(h.unrated, 3);
    let causes: Vec<(&str, i64)> = h
        .top_causes
        .iter()
        .map(|c| (c.category.as_str(), c.cases))
        .collect();
    assert_eq!(causes, vec![("organisation", 1), ("teknik", 1), ("", 4)]);
}

#[test]
fn legal_duties_due_on_time_late_open() {
    let f = fixture();
    let d = duties(&input(&f));
    let av = &d[0];
    assert_eq!(av.authority, Authority::Arbetsmiljoverket);
    assert_eq!((av.due, av.on_time, av.late, av.open), (2, 1, 0, 1));
    let fk = &d[1];
    assert_eq!((fk.due, fk.on_time, fk.late, fk.open), (2, 0, 1, 1));
}

#[test]
fn corrective_actions_by_state_and_due_date() {
    let f = fixture();
    let a = actions_figures(&f);
    assert_eq!(a.created, 5);
    assert_eq!(
        (a.planned, a.in_progress, a.done, a.verified, a.cancelled),
        (1, 1, 1, 1, 1)
    );
    // Due by the end and not cancelled: a1 (done in time), a2 (late), a3 (not done).
    assert_eq!(
        (a.due_passed, a.done_by_due, a.done_by_due_bp),
        (3, 1, Some(3333))
    );
    // a3, and a6 from 2025.
    assert_eq!(a.overdue_at_end, 2);
}

fn actions_figures(f: &Fixture) -> ActionFigures {
    super::actions(&input(f))
}

#[test]
fn costs_by_category_and_unit_against_the_year_before() {
    let f = fixture();
    let c = costs(&input(&f));
    assert_eq!(c.total.cost_ore, 211_000_000);
    assert_eq!(c.total.recovery_ore, 2_000_000);
    assert_eq!(c.total.net_ore, 209_000_000);
    assert_eq!(c.total.previous_net_ore, 50_000_000);
    let sak = c.by_category.iter().find(|x| x.category == "sak").unwrap();
    assert_eq!(
        (sak.money.net_ore, sak.money.previous_net_ore),
        (9_000_000, 0)
    );
    let nets: Vec<(&str, bool, i64, i64)> = c
        .by_unit
        .iter()
        .map(|u| {
            (
                u.unit.id.as_str(),
                u.own,
                u.money.net_ore,
                u.money.previous_net_ore,
            )
        })
        .collect();
    assert_eq!(
        nets,
        vec![
            ("A", false, 8_000_000, 0),
            ("B", false, 200_000_000, 50_000_000),
            ("R", true, 1_000_000, 0),
        ]
    );
}

#[test]
fn per_child_unit_side_by_side() {
    let f = fixture();
    let rows = children(&input(&f));
    let row = |id: &str| rows.iter().find(|r| r.unit.id == id).unwrap().clone();
    let a = row("A");
    assert_eq!(
        (a.reports, a.accidents, a.near_misses_and_observations),
        (3, 2, 1)
    );
    assert_eq!(a.within_deadline_bp, Some(10_000));
    assert_eq!((a.open_at_end, a.av_due, a.overdue_actions), (1, 2, 0));
    assert_eq!(
        (a.employees, a.per_100_employees_x100),
        (Some(150), Some(200))
    );
    let b = row("B");
    assert_eq!((b.reports, b.within_deadline_bp), (2, Some(5000)));
    assert_eq!((b.open_at_end, b.overdue_actions), (2, 2));
    assert_eq!(b.per_100_employees_x100, Some(100));
    let own = row("R");
    assert!(own.own);
    assert_eq!(
        (own.reports, own.within_deadline_bp, own.employees),
        (1, Some(0), None)
    );
    // The rows add up to the group.
    assert_eq!(rows.iter().map(|r| r.reports).sum::<i64>(), 6);
}

#[test]
fn periods_are_whole_months_up_to_two_years() {
    let m = |y, n| Month::new(y, n).unwrap();
    assert!(Period::new(m(2026, 1), m(2027, 12)).is_ok());
    assert_eq!(
        Period::new(m(2026, 1), m(2028, 1)),
        Err(PeriodError::TooLong)
    );
    assert_eq!(
        Period::new(m(2026, 2), m(2026, 1)),
        Err(PeriodError::BeforeFrom)
    );
    let p = Period::new(m(2026, 3), m(2027, 2)).unwrap();
    assert_eq!(p.year_before().from, m(2025, 3));
    assert_eq!(p.months().len(), 12);
}

#[test]
fn percentiles_are_nearest_rank() {
    assert_eq!(percentile(&[], 50), None);
    assert_eq!(percentile(&[7], 90), Some(7));
    assert_eq!(percentile(&[4, 1, 3, 2], 50), Some(2));
    assert_eq!(percentile(&(1..=10).collect::<Vec<_>>(), 90), Some(9));
    assert_eq!(bp(1, 3), Some(3333));
    assert_eq!(bp(2, 3), Some(6667));
    assert_eq!(bp(1, 0), None);
}
