//! The yearly follow-up ("Resultatet av arbetet ska årligen utvärderas och redovisas"): every
//! figure computed from plain rows, so each section can be checked against a hand-built
//! fixture. The database layer only reads the rows; nothing here does I/O.
//!
//! A period is whole calendar months (Europe/Stockholm), as the monthly rollups are; a case
//! belongs to the month it was *reported* in, so a late report never changes a year that has
//! been presented. Percentiles use the nearest-rank method (the p-th percentile of n sorted
//! values is the value at rank ⌈p·n/100⌉), so every figure is an observed value.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::action::ActionState;
use super::calendar::stockholm_date;
use super::cost_period::Month;
use super::legal_duty::{self, Authority, DutyFacts, DutyRecord, InjurySeverity};
use super::risk::Risk;
use super::{Consequence, IncidentKind, IncidentStatus};

/// At most this many months in one follow-up (two years; the year before is read as well).
pub const MAX_MONTHS: i32 = 24;

/// The rated consequence grade (of 4) from which an environmental consequence counts as a
/// serious environmental damage against the vision.
pub const SERIOUS_ENVIRONMENT_GRADE: u8 = 3;

/// How many cause categories the follow-up names.
pub const TOP_CAUSES: usize = 5;

/// A span of whole months, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Month,
    pub to: Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    BeforeFrom,
    TooLong,
}

impl Period {
    pub fn new(from: Month, to: Month) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::BeforeFrom);
        }
        if from.months_until(to) > MAX_MONTHS {
            return Err(PeriodError::TooLong);
        }
        Ok(Period { from, to })
    }

    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: Month::new(year, 1)?,
            to: Month::new(year, 12)?,
        })
    }

    /// The same months a year earlier.
    pub fn year_before(self) -> Period {
        Period {
            from: self.from.year_earlier(),
            to: self.to.year_earlier(),
        }
    }

    pub fn months(self) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = self.from;
        while m <= self.to {
            out.push(m);
            m = m.next();
        }
        out
    }

    pub fn contains(self, m: Month) -> bool {
        self.from <= m && m <= self.to
    }

    pub fn first_day(self) -> NaiveDate {
        self.from.first_day()
    }

    pub fn last_day(self) -> NaiveDate {
        self.to.last_day()
    }
}

/// What the follow-up needs of one case.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub id: String,
    pub unit_id: String,
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    pub reported_at: DateTime<Utc>,
    pub consequences: Vec<Consequence>,
    pub injury: InjurySeverity,
    pub several_injured: bool,
    pub serious_danger: bool,
    pub risk: Option<Risk>,
    pub cause: Option<String>,
    /// When the responsible person had to acknowledge (the routing's reminder time).
    pub ack_deadline: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    /// When the case last left the open states, if it is closed now.
    pub closed_at: Option<DateTime<Utc>>,
    pub av: DutyRecord,
    pub fk: DutyRecord,
    /// Net damage cost (actual entries, costs minus recoveries), in öre.
    pub net_cost_ore: i64,
}

impl CaseFacts {
    pub fn month(&self) -> Month {
        Month::of(stockholm_date(self.reported_at))
    }

    fn duty_facts(&self) -> DutyFacts<'_> {
        DutyFacts {
            kind: self.kind,
            consequences: &self.consequences,
            injury: self.injury,
            several_injured: self.several_injured,
            serious_danger: self.serious_danger,
        }
    }

    /// Whether a duty to the authority applies: suggested by the facts or confirmed, and not
    /// dismissed by a manager.
    pub fn duty_applies(&self, authority: Authority) -> bool {
        let record = self.duty(authority);
        match record.confirmed {
            Some(c) => c,
            None => legal_duty::suggested(authority, &self.duty_facts()),
        }
    }

    fn duty(&self, authority: Authority) -> &DutyRecord {
        match authority {
            Authority::Arbetsmiljoverket => &self.av,
            Authority::Forsakringskassan => &self.fk,
        }
    }

    fn open_at(&self, end: DateTime<Utc>) -> bool {
        self.reported_at <= end && self.closed_at.is_none_or(|c| c > end)
    }
}

/// What the follow-up needs of one corrective action.
#[derive(Debug, Clone)]
pub struct ActionFacts {
    pub case_id: String,
    pub unit_id: String,
    pub state: ActionState,
    pub created_on: NaiveDate,
    pub due: NaiveDate,
    /// The day it was first marked done (or verified).
    pub done_on: Option<NaiveDate>,
}

/// Money of one unit, month and cost category, from the cost rollups (actual basis).
#[derive(Debug, Clone)]
pub struct CostCell {
    pub unit_id: String,
    pub month: Month,
    pub category: String,
    pub cost_ore: i64,
    pub recovery_ore: i64,
}

/// One row of the statistics rollup: a count of one unit, month and dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupCell {
    pub unit_id: String,
    pub month: Month,
    pub dim: String,
    pub n: i64,
}

/// The dimensions of the statistics rollup.
pub mod dim {
    use super::{Consequence, IncidentKind};

    /// Every report.
    pub const REPORTS: &str = "n";
    /// Reports whose acknowledgement deadline has come (acknowledged or not).
    pub const ACK_DUE: &str = "ack_due";
    /// Reports acknowledged by their deadline.
    pub const ACK_IN_TIME: &str = "ack_in_time";
    /// Reports with a duty to Arbetsmiljöverket.
    pub const AV: &str = "av";

    pub fn kind(k: IncidentKind) -> String {
        format!("k:{}", k.as_str())
    }

    pub fn consequence(c: Consequence) -> String {
        format!("c:{}", c.as_str())
    }
}

/// The rollup of the given cases: counts per (unit, month, dimension), as of `now`.
pub fn rollup(cases: &[CaseFacts], now: DateTime<Utc>) -> BTreeMap<(String, i32, String), i64> {
    let mut out: BTreeMap<(String, i32, String), i64> = BTreeMap::new();
    for c in cases {
        let key = |d: String| (c.unit_id.clone(), c.month().key(), d);
        let mut dims = vec![dim::REPORTS.to_owned(), dim::kind(c.kind)];
        dims.extend(c.consequences.iter().map(|x| dim::consequence(*x)));
        if let Some(deadline) = c.ack_deadline {
            if c.acknowledged_at.is_some() || deadline <= now {
                dims.push(dim::ACK_DUE.to_owned());
            }
            if c.acknowledged_at.is_some_and(|a| a <= deadline) {
                dims.push(dim::ACK_IN_TIME.to_owned());
            }
        }
        if c.duty_applies(Authority::Arbetsmiljoverket) {
            dims.push(dim::AV.to_owned());
        }
        for d in dims {
            *out.entry(key(d)).or_default() += 1;
        }
    }
    out
}

/// The unit the follow-up is for, its direct children, and where every unit of its subtree
/// belongs among them.
#[derive(Debug, Clone)]
pub struct Tree {
    pub root: UnitRef,
    pub children: Vec<UnitRef>,
    /// Unit id → index in `children`; units not in the map are the root's own.
    pub child_of: HashMap<String, usize>,
    /// Headcount per unit, where the org import gave one.
    pub employees: HashMap<String, i64>,
}

impl Tree {
    fn child(&self, unit: &str) -> Option<usize> {
        self.child_of.get(unit).copied()
    }

    /// The children and, last, the root's own cases.
    fn slots(&self) -> usize {
        self.children.len() + 1
    }

    fn slot(&self, unit: &str) -> usize {
        self.child(unit).unwrap_or(self.children.len())
    }

    fn slot_ref(&self, slot: usize) -> UnitRef {
        self.children
            .get(slot)
            .cloned()
            .unwrap_or_else(|| self.root.clone())
    }

    /// Headcount of the whole subtree, or of one slot (the root's own: only its own units).
    fn headcount(&self, slot: Option<usize>) -> Option<i64> {
        let mut any = false;
        let mut sum = 0;
        for (unit, n) in &self.employees {
            if slot.is_none_or(|s| self.slot(unit) == s) {
                any = true;
                sum += n;
            }
        }
        any.then_some(sum)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: String,
    pub name: String,
}

/// What the follow-up is computed from.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub period: Period,
    pub tree: &'a Tree,
    /// Cases of the subtree reported in the period or the year before, and older ones that
    /// may still have been open during the period.
    pub cases: &'a [CaseFacts],
    pub actions: &'a [ActionFacts],
    /// The statistics rollup of the subtree for the period and the year before.
    pub rollup: &'a [RollupCell],
    /// The cost rollup of the subtree for the period and the year before.
    pub costs: &'a [CostCell],
    /// A case whose net cost reaches this is a large loss against the vision.
    pub large_loss_ore: i64,
    pub now: DateTime<Utc>,
}

/// The ordinal of a case in a list, as the reports name it.
pub fn case_reference(id: &str) -> String {
    // One place for the reference: the case id today, the readable case number once it
    // exists.
    id.to_owned()
}

// ---------- the sections ----------

string_enum! {
    /// The policy's vision lines, where zero is the goal.
    pub enum VisionLine {
        Deaths => "deaths",
        SeriousInjuries => "serious_injuries",
        SeriousEnvironmentalDamage => "serious_environmental_damage",
        LargeLosses => "large_losses",
        ExtraordinaryEvents => "extraordinary_events",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VisionFigure {
    pub line: VisionLine,
    pub count: i64,
    pub previous: i64,
    /// The cases, by reference.
    pub cases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MonthSeries {
    /// A report kind or a consequence area.
    pub key: String,
    /// One count per month of the period.
    pub months: Vec<i64>,
    pub total: i64,
    pub previous: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Reporting {
    /// `YYYY-MM` for each month of the period.
    pub months: Vec<String>,
    pub reports: i64,
    pub previous_reports: i64,
    pub by_kind: Vec<MonthSeries>,
    pub by_consequence: Vec<MonthSeries>,
    pub accidents: i64,
    /// Near-misses and risk observations.
    pub near_misses_and_observations: i64,
    /// Near-misses and risk observations per accident, in hundredths (none without accidents).
    pub proactive_per_accident_x100: Option<i64>,
    pub employees: Option<i64>,
    /// Reports per 100 employees, in hundredths (where the org import gives a headcount).
    pub per_100_employees_x100: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgeBucket {
    /// `0-30`, `31-90`, `91-365` or `366-` days.
    pub days: String,
    pub cases: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CauseCount {
    /// A cause category, or empty for cases not classified.
    pub category: String,
    pub cases: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Handling {
    pub cases: i64,
    pub acknowledged: i64,
    pub ack_median_minutes: Option<i64>,
    pub ack_p90_minutes: Option<i64>,
    /// Cases whose deadline has come (acknowledged or not), and those acknowledged by it.
    pub with_deadline: i64,
    pub within_deadline: i64,
    pub within_deadline_bp: Option<i64>,
    pub escalated: i64,
    pub escalated_bp: Option<i64>,
    /// Closed (or rejected, or a duplicate) by the end of the period.
    pub closed: i64,
    pub closed_bp: Option<i64>,
    /// Cases of the subtree open at the end of the period, whenever reported.
    pub open_at_end: i64,
    pub open_age_median_days: Option<i64>,
    pub open_age: Vec<AgeBucket>,
    /// Counts by likelihood (rows, 1–4) and consequence (columns, 1–4).
    pub risk_matrix: Vec<Vec<i64>>,
    pub unrated: i64,
    pub top_causes: Vec<CauseCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DutyFigure {
    pub authority: Authority,
    /// Cases where the duty applied.
    pub due: i64,
    /// Reported within 24 hours of our report.
    pub on_time: i64,
    pub late: i64,
    /// Not reported yet.
    pub open: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ActionFigures {
    /// Actions created in the period, and where they are now.
    pub created: i64,
    pub planned: i64,
    pub in_progress: i64,
    pub done: i64,
    pub verified: i64,
    pub cancelled: i64,
    /// Of the period's actions whose due date has come (not cancelled), those done by it.
    pub due_passed: i64,
    pub done_by_due: i64,
    pub done_by_due_bp: Option<i64>,
    /// Actions due before the end of the period and not done by then.
    pub overdue_at_end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Money {
    pub cost_ore: i64,
    pub recovery_ore: i64,
    pub net_ore: i64,
    pub previous_net_ore: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryMoney {
    pub category: String,
    #[serde(flatten)]
    pub money: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnitMoney {
    pub unit: UnitRef,
    /// The unit's own cases (not its children's).
    pub own: bool,
    #[serde(flatten)]
    pub money: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Costs {
    pub total: Money,
    pub by_category: Vec<CategoryMoney>,
    pub by_unit: Vec<UnitMoney>,
    pub large_loss_threshold_ore: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChildRow {
    pub unit: UnitRef,
    pub own: bool,
    pub reports: i64,
    pub accidents: i64,
    pub near_misses_and_observations: i64,
    pub within_deadline_bp: Option<i64>,
    pub open_at_end: i64,
    pub av_due: i64,
    pub overdue_actions: i64,
    pub employees: Option<i64>,
    pub per_100_employees_x100: Option<i64>,
}

/// The follow-up without costs (what case readers see).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseSections {
    pub vision: Vec<VisionFigure>,
    pub reporting: Reporting,
    pub handling: Handling,
    pub duties: Vec<DutyFigure>,
    pub actions: ActionFigures,
    pub children: Vec<ChildRow>,
}

/// `part / whole` in basis points, rounded half up; none of nothing.
pub fn bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 20_000 + whole) / (2 * whole))
}

/// `part / whole × 100` in hundredths, rounded half up.
fn x100(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 200 + whole) / (2 * whole))
}

/// The nearest-rank percentile `p` (1–100) of the values.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    let rank = (p as usize * n).div_ceil(100).max(1);
    Some(v[rank - 1])
}

fn end_instant(period: Period) -> DateTime<Utc> {
    let next = period.to.next().first_day();
    let local = next.and_hms_opt(0, 0, 0).unwrap_or_default();
    super::calendar::from_stockholm(local) - chrono::Duration::seconds(1)
}

/// The end of the period, or now if the period has not ended.
fn cutoff(input: &Input) -> DateTime<Utc> {
    end_instant(input.period).min(input.now)
}

fn in_period(cases: &[CaseFacts], period: Period) -> Vec<&CaseFacts> {
    cases
        .iter()
        .filter(|c| period.contains(c.month()))
        .collect()
}

pub fn vision(input: &Input) -> Vec<VisionFigure> {
    let now_cases = in_period(input.cases, input.period);
    let before = in_period(input.cases, input.period.year_before());
    let test = |line: VisionLine, c: &CaseFacts| -> bool {
        match line {
            VisionLine::Deaths => c.injury == InjurySeverity::Fatal,
            VisionLine::SeriousInjuries => c.injury == InjurySeverity::Serious,
            VisionLine::SeriousEnvironmentalDamage => {
                c.consequences.contains(&Consequence::Environment)
                    && c.risk
                        .is_some_and(|r| r.consequence.get() >= SERIOUS_ENVIRONMENT_GRADE)
            }
            VisionLine::LargeLosses => {
                input.large_loss_ore > 0 && c.net_cost_ore >= input.large_loss_ore
            }
            VisionLine::ExtraordinaryEvents => c.kind == IncidentKind::ExtraordinaryEvent,
        }
    };
    VisionLine::ALL
        .iter()
        .map(|line| {
            let mut cases: Vec<String> = now_cases
                .iter()
                .filter(|c| test(*line, c))
                .map(|c| case_reference(&c.id))
                .collect();
            cases.sort();
            VisionFigure {
                line: *line,
                count: cases.len() as i64,
                previous: before.iter().filter(|c| test(*line, c)).count() as i64,
                cases,
            }
        })
        .collect()
}

fn sum_dim(rollup: &[RollupCell], period: Period, dim: &str) -> i64 {
    rollup
        .iter()
        .filter(|r| r.dim == dim && period.contains(r.month))
        .map(|r| r.n)
        .sum()
}

fn series(rollup: &[RollupCell], period: Period, keys: Vec<(String, String)>) -> Vec<MonthSeries> {
    let months = period.months();
    keys.into_iter()
        .map(|(key, dim)| {
            let per_month: Vec<i64> = months
                .iter()
                .map(|m| {
                    rollup
                        .iter()
                        .filter(|r| r.dim == dim && r.month == *m)
                        .map(|r| r.n)
                        .sum()
                })
                .collect();
            MonthSeries {
                key,
                total: per_month.iter().sum(),
                months: per_month,
                previous: sum_dim(rollup, period.year_before(), &dim),
            }
        })
        .collect()
}

pub fn reporting(input: &Input) -> Reporting {
    let p = input.period;
    let r = input.rollup;
    let kinds = IncidentKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), dim::kind(*k)))
        .collect();
    let consequences = Consequence::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), dim::consequence(*c)))
        .collect();
    let reports = sum_dim(r, p, dim::REPORTS);
    let accidents = sum_dim(r, p, &dim::kind(IncidentKind::Accident));
    let proactive = sum_dim(r, p, &dim::kind(IncidentKind::NearMiss))
        + sum_dim(r, p, &dim::kind(IncidentKind::RiskObservation));
    let employees = input.tree.headcount(None);
    Reporting {
        months: p
            .months()
            .iter()
            .map(|m| format!("{:04}-{:02}", m.year(), m.number()))
            .collect(),
        reports,
        previous_reports: sum_dim(r, p.year_before(), dim::REPORTS),
        by_kind: series(r, p, kinds),
        by_consequence: series(r, p, consequences),
        accidents,
        near_misses_and_observations: proactive,
        proactive_per_accident_x100: x100(proactive, accidents),
        employees,
        per_100_employees_x100: employees.and_then(|e| x100(reports * 100, e)),
    }
}

fn age_buckets(ages: &[i64]) -> Vec<AgeBucket> {
    [("0-30", 0, 30), ("31-90", 31, 90), ("91-365", 91, 365)]
        .iter()
        .map(|(label, lo, hi)| (label.to_string(), *lo, *hi))
        .chain(std::iter::once(("366-".to_owned(), 366, i64::MAX)))
        .map(|(days, lo, hi)| AgeBucket {
            days,
            cases: ages.iter().filter(|a| **a >= lo && **a <= hi).count() as i64,
        })
        .collect()
}

pub fn handling(input: &Input) -> Handling {
    let cases = in_period(input.cases, input.period);
    let end = cutoff(input);
    let acked: Vec<i64> = cases
        .iter()
        .filter_map(|c| {
            c.acknowledged_at
                .filter(|a| *a <= end)
                .map(|a| (a - c.reported_at).num_minutes())
        })
        .collect();
    let with_deadline: Vec<&&CaseFacts> = cases
        .iter()
        .filter(|c| {
            c.ack_deadline
                .is_some_and(|d| d <= end || c.acknowledged_at.is_some_and(|a| a <= end))
        })
        .collect();
    let within = with_deadline
        .iter()
        .filter(|c| {
            c.acknowledged_at
                .zip(c.ack_deadline)
                .is_some_and(|(a, d)| a <= d)
        })
        .count() as i64;
    let routed = cases.iter().filter(|c| c.ack_deadline.is_some()).count() as i64;
    let escalated = cases
        .iter()
        .filter(|c| c.escalated_at.is_some_and(|e| e <= end))
        .count() as i64;
    let closed = cases
        .iter()
        .filter(|c| c.closed_at.is_some_and(|x| x <= end))
        .count() as i64;
    let end_day = stockholm_date(end);
    let ages: Vec<i64> = input
        .cases
        .iter()
        .filter(|c| c.open_at(end))
        .map(|c| (end_day - stockholm_date(c.reported_at)).num_days())
        .collect();
    let mut matrix = vec![vec![0i64; 4]; 4];
    for c in &cases {
        if let Some(r) = c.risk {
            matrix[usize::from(r.likelihood.get() - 1)][usize::from(r.consequence.get() - 1)] += 1;
        }
    }
    let total = cases.len() as i64;
    Handling {
        cases: total,
        acknowledged: acked.len() as i64,
        ack_median_minutes: percentile(&acked, 50),
        ack_p90_minutes: percentile(&acked, 90),
        with_deadline: with_deadline.len() as i64,
        within_deadline: within,
        within_deadline_bp: bp(within, with_deadline.len() as i64),
        escalated,
        escalated_bp: bp(escalated, routed),
        closed,
        closed_bp: bp(closed, total),
        open_at_end: ages.len() as i64,
        open_age_median_days: percentile(&ages, 50),
        open_age: age_buckets(&ages),
        risk_matrix: matrix,
        unrated: cases.iter().filter(|c| c.risk.is_none()).count() as i64,
        top_causes: top_causes(&cases),
    }
}

fn top_causes(cases: &[&CaseFacts]) -> Vec<CauseCount> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for c in cases {
        if let Some(cause) = c.cause.as_deref().filter(|s| !s.is_empty()) {
            *counts.entry(cause.to_owned()).or_default() += 1;
        }
    }
    let mut list: Vec<CauseCount> = counts
        .into_iter()
        .map(|(category, cases)| CauseCount { category, cases })
        .collect();
    list.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.category.cmp(&b.category)));
    list.truncate(TOP_CAUSES);
    let unclassified = cases
        .iter()
        .filter(|c| c.cause.as_deref().is_none_or(str::is_empty))
        .count() as i64;
    if unclassified > 0 {
        list.push(CauseCount {
            category: String::new(),
            cases: unclassified,
        });
    }
    list
}

pub fn duties(input: &Input) -> Vec<DutyFigure> {
    let cases = in_period(input.cases, input.period);
    Authority::ALL
        .iter()
        .map(|a| {
            let mut f = DutyFigure {
                authority: *a,
                due: 0,
                on_time: 0,
                late: 0,
                open: 0,
            };
            for c in cases.iter().filter(|c| c.duty_applies(*a)) {
                f.due += 1;
                let record = c.duty(*a);
                let reported = record
                    .reported_at
                    .filter(|_| record.reference.as_deref().is_some_and(|r| !r.is_empty()));
                match reported {
                    Some(at) if at <= c.reported_at + legal_duty::DEADLINE => f.on_time += 1,
                    Some(_) => f.late += 1,
                    None => f.open += 1,
                }
            }
            f
        })
        .collect()
}

fn done_by(a: &ActionFacts, day: NaiveDate) -> bool {
    a.done_on.is_some_and(|d| d <= day)
}

pub fn actions(input: &Input) -> ActionFigures {
    let (first, last) = (input.period.first_day(), input.period.last_day());
    let today = stockholm_date(input.now);
    let end = last.min(today);
    let of_period: Vec<&ActionFacts> = input
        .actions
        .iter()
        .filter(|a| a.created_on >= first && a.created_on <= last)
        .collect();
    let count = |s: ActionState| of_period.iter().filter(|a| a.state == s).count() as i64;
    let due_passed: Vec<&&ActionFacts> = of_period
        .iter()
        .filter(|a| a.state != ActionState::Cancelled && a.due <= end)
        .collect();
    let done_by_due = due_passed.iter().filter(|a| done_by(a, a.due)).count() as i64;
    ActionFigures {
        created: of_period.len() as i64,
        planned: count(ActionState::Planned),
        in_progress: count(ActionState::InProgress),
        done: count(ActionState::Done),
        verified: count(ActionState::Verified),
        cancelled: count(ActionState::Cancelled),
        due_passed: due_passed.len() as i64,
        done_by_due,
        done_by_due_bp: bp(done_by_due, due_passed.len() as i64),
        overdue_at_end: overdue(input.actions, end, |_| true),
    }
}

fn overdue(actions: &[ActionFacts], end: NaiveDate, keep: impl Fn(&ActionFacts) -> bool) -> i64 {
    actions
        .iter()
        .filter(|a| keep(a))
        .filter(|a| a.state != ActionState::Cancelled && a.created_on <= end)
        .filter(|a| a.due < end && !done_by(a, end))
        .count() as i64
}

fn money(cells: &[&CostCell], period: Period) -> Money {
    let (mut cost, mut recovery, mut previous) = (0, 0, 0);
    let before = period.year_before();
    for c in cells {
        if period.contains(c.month) {
            cost += c.cost_ore;
            recovery += c.recovery_ore;
        } else if before.contains(c.month) {
            previous += c.cost_ore - c.recovery_ore;
        }
    }
    Money {
        cost_ore: cost,
        recovery_ore: recovery,
        net_ore: cost - recovery,
        previous_net_ore: previous,
    }
}

pub fn costs(input: &Input) -> Costs {
    let all: Vec<&CostCell> = input.costs.iter().collect();
    let mut categories: Vec<String> = input.costs.iter().map(|c| c.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let by_category = categories
        .into_iter()
        .map(|cat| {
            let cells: Vec<&CostCell> = all.iter().copied().filter(|c| c.category == cat).collect();
            CategoryMoney {
                money: money(&cells, input.period),
                category: cat,
            }
        })
        .collect();
    let tree = input.tree;
    let by_unit = (0..tree.slots())
        .map(|slot| {
            let cells: Vec<&CostCell> = all
                .iter()
                .copied()
                .filter(|c| tree.slot(&c.unit_id) == slot)
                .collect();
            UnitMoney {
                unit: tree.slot_ref(slot),
                own: slot == tree.children.len(),
                money: money(&cells, input.period),
            }
        })
        .collect();
    Costs {
        total: money(&all, input.period),
        by_category,
        by_unit,
        large_loss_threshold_ore: input.large_loss_ore,
    }
}

pub fn children(input: &Input) -> Vec<ChildRow> {
    let tree = input.tree;
    let cases = in_period(input.cases, input.period);
    let end = cutoff(input);
    let end_day = stockholm_date(end).min(input.period.last_day());
    (0..tree.slots())
        .map(|slot| {
            let mine: Vec<&&CaseFacts> = cases
                .iter()
                .filter(|c| tree.slot(&c.unit_id) == slot)
                .collect();
            let kind = |k: IncidentKind| mine.iter().filter(|c| c.kind == k).count() as i64;
            let due: Vec<&&&CaseFacts> = mine
                .iter()
                .filter(|c| {
                    c.ack_deadline
                        .is_some_and(|d| d <= end || c.acknowledged_at.is_some())
                })
                .collect();
            let within = due
                .iter()
                .filter(|c| {
                    c.acknowledged_at
                        .zip(c.ack_deadline)
                        .is_some_and(|(a, d)| a <= d)
                })
                .count() as i64;
            let reports = mine.len() as i64;
            let employees = tree.headcount(Some(slot));
            ChildRow {
                unit: tree.slot_ref(slot),
                own: slot == tree.children.len(),
                reports,
                accidents: kind(IncidentKind::Accident),
                near_misses_and_observations: kind(IncidentKind::NearMiss)
                    + kind(IncidentKind::RiskObservation),
                within_deadline_bp: bp(within, due.len() as i64),
                open_at_end: input
                    .cases
                    .iter()
                    .filter(|c| tree.slot(&c.unit_id) == slot && c.open_at(end))
                    .count() as i64,
                av_due: mine
                    .iter()
                    .filter(|c| c.duty_applies(Authority::Arbetsmiljoverket))
                    .count() as i64,
                overdue_actions: overdue(input.actions, end_day, |a| tree.slot(&a.unit_id) == slot),
                employees,
                per_100_employees_x100: employees.and_then(|e| x100(reports * 100, e)),
            }
        })
        .collect()
}

/// Every section but the costs.
pub fn case_sections(input: &Input) -> CaseSections {
    CaseSections {
        vision: vision(input),
        reporting: reporting(input),
        handling: handling(input),
        duties: duties(input),
        actions: actions(input),
        children: children(input),
    }
}

#[cfg(test)]
#[path = "yearly_tests.rs"]
mod tests;
