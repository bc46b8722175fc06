//! The open statistics ("Säkerställa demokratin och öppenheten"): what residents and
//! journalists may see of the group without anyone's personal data leaving — counts per month,
//! report kind and administration or company (never a smaller unit), the share handled within
//! the deadline, events reportable to Arbetsmiljöverket and the net damage cost per year.
//! No free text, no day-level dates, no single case's cost. Every table is protected by
//! [`disclosure`](super::disclosure): small cells hidden, and enough others that no hidden
//! cell follows from the totals.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cost_period::Month;
use super::disclosure::{self, Cube, Protection, Relation};
use super::yearly::{bp, dim};
use super::IncidentKind;

/// How many years the open statistics go back (this year included).
pub const YEARS: i32 = 5;

/// A unit directly under the group (or the group's own cases, last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicUnit {
    pub code: String,
    pub name: String,
}

/// One count of the rollup, summed to a top-level unit (by index).
#[derive(Debug, Clone)]
pub struct TopCount {
    pub unit: usize,
    pub month: Month,
    pub dim: String,
    pub n: i64,
}

/// One case's net actual cost in one year, at a top-level unit (by index).
#[derive(Debug, Clone)]
pub struct TopCaseCost {
    pub unit: usize,
    pub year: i32,
    pub net_ore: i64,
}

pub struct OpenInput<'a> {
    pub units: &'a [PublicUnit],
    pub counts: &'a [TopCount],
    pub case_costs: &'a [TopCaseCost],
    /// The month the data reaches (nothing later is published).
    pub last_month: Month,
    pub threshold: i64,
}

/// A published number, or why it is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Published {
    pub value: Option<i64>,
    pub protected: Option<Protection>,
}

impl Published {
    fn new(value: i64, protection: Option<Protection>) -> Published {
        Published {
            value: protection.is_none().then_some(value),
            protected: protection,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportCell {
    pub year: i32,
    /// `YYYY-MM`; none for the year's total.
    pub month: Option<String>,
    /// A unit's code; none for the whole group.
    pub unit: Option<String>,
    /// none for every kind.
    pub kind: Option<IncidentKind>,
    pub reports: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShareCell {
    pub year: i32,
    pub unit: Option<String>,
    /// Basis points of the reports whose deadline came that were acknowledged by it.
    pub share_bp: Option<i64>,
    pub protected: Option<Protection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearCell {
    pub year: i32,
    pub unit: Option<String>,
    pub value: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpenStatistics {
    pub threshold: i64,
    pub years: Vec<i32>,
    pub units: Vec<PublicUnit>,
    pub reports: Vec<ReportCell>,
    pub handled_within_deadline: Vec<ShareCell>,
    /// Events with a duty to report to Arbetsmiljöverket.
    pub av_reportable: Vec<YearCell>,
    /// Net damage cost in öre (actual costs minus recoveries).
    pub net_cost: Vec<YearCell>,
}

fn month_label(m: Month) -> String {
    format!("{:04}-{:02}", m.year(), m.number())
}

fn months_of(year: i32, last: Month) -> Vec<Month> {
    (1..=12)
        .filter_map(|n| Month::new(year, n))
        .filter(|m| *m <= last)
        .collect()
}

/// The counts by (unit, month, dimension), summed.
type Counts = HashMap<(usize, Month, String), i64>;

fn index(input: &OpenInput) -> Counts {
    let mut out = Counts::new();
    for c in input.counts {
        *out.entry((c.unit, c.month, c.dim.clone())).or_default() += c.n;
    }
    out
}

fn count(counts: &Counts, unit: usize, month: Month, dim: &str) -> i64 {
    counts
        .get(&(unit, month, dim.to_owned()))
        .copied()
        .unwrap_or(0)
}

/// A table of one year over the units with the group's total: per-unit values, the total
/// last, and the relation between them.
fn by_unit(values: Vec<i64>) -> (Vec<i64>, Relation) {
    let n = values.len();
    let mut all = values;
    all.push(all.iter().sum());
    (
        all,
        Relation {
            total: n,
            parts: (0..n).collect(),
        },
    )
}

fn unit_code(units: &[PublicUnit], i: usize) -> Option<String> {
    units.get(i).map(|u| u.code.clone())
}

fn reports_of_year(input: &OpenInput, counts: &Counts, year: i32) -> Vec<ReportCell> {
    let months = months_of(year, input.last_month);
    let kinds = IncidentKind::ALL;
    let cube = Cube {
        sizes: vec![input.units.len(), months.len(), kinds.len()],
    };
    let values = cube.fill(|k| count(counts, k[0], months[k[1]], &dim::kind(kinds[k[2]])));
    let primary: Vec<_> = values
        .iter()
        .map(|v| disclosure::count_rule(*v, input.threshold))
        .collect();
    let protection = disclosure::protect(&values, &primary, &cube.relations());
    (0..cube.len())
        .map(|i| {
            let k = cube.key(i);
            ReportCell {
                year,
                month: months.get(k[1]).map(|m| month_label(*m)),
                unit: unit_code(input.units, k[0]),
                kind: kinds.get(k[2]).copied(),
                reports: Published::new(values[i], protection[i]),
            }
        })
        .collect()
}

fn handled_of_year(input: &OpenInput, counts: &Counts, year: i32) -> Vec<ShareCell> {
    let months = months_of(year, input.last_month);
    let sum =
        |unit: usize, d: &str| -> i64 { months.iter().map(|m| count(counts, unit, *m, d)).sum() };
    let n = input.units.len();
    let mut due: Vec<i64> = (0..n).map(|u| sum(u, dim::ACK_DUE)).collect();
    let mut within: Vec<i64> = (0..n).map(|u| sum(u, dim::ACK_IN_TIME)).collect();
    due.push(due.iter().sum());
    within.push(within.iter().sum());
    (0..=n)
        .map(|i| {
            let protected = disclosure::count_rule(due[i], input.threshold);
            ShareCell {
                year,
                unit: unit_code(input.units, i),
                share_bp: protected.is_none().then(|| bp(within[i], due[i])).flatten(),
                protected,
            }
        })
        .collect()
}

fn year_cells(
    input: &OpenInput,
    year: i32,
    values: Vec<i64>,
    primary: Vec<Option<Protection>>,
) -> Vec<YearCell> {
    let (values, relation) = by_unit(values);
    // `primary` holds the group's total last: it has a rule of its own.
    let protection = disclosure::protect(&values, &primary, &[relation]);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| YearCell {
            year,
            unit: unit_code(input.units, i),
            value: Published::new(*v, protection[i]),
        })
        .collect()
}

fn av_of_year(input: &OpenInput, counts: &Counts, year: i32) -> Vec<YearCell> {
    let months = months_of(year, input.last_month);
    let values: Vec<i64> = (0..input.units.len())
        .map(|u| months.iter().map(|m| count(counts, u, *m, dim::AV)).sum())
        .collect();
    let total: i64 = values.iter().sum();
    let primary = values
        .iter()
        .chain(std::iter::once(&total))
        .map(|v| disclosure::count_rule(*v, input.threshold))
        .collect();
    year_cells(input, year, values, primary)
}

fn costs_of_year(input: &OpenInput, year: i32) -> Vec<YearCell> {
    let nets = |unit: Option<usize>| -> Vec<i64> {
        input
            .case_costs
            .iter()
            .filter(|c| c.year == year && unit.is_none_or(|u| c.unit == u))
            .map(|c| c.net_ore)
            .collect()
    };
    let n = input.units.len();
    let values: Vec<i64> = (0..n).map(|u| nets(Some(u)).iter().sum()).collect();
    let primary = (0..n)
        .map(Some)
        .chain(std::iter::once(None))
        .map(|u| disclosure::cost_rule(&nets(u), input.threshold))
        .collect();
    year_cells(input, year, values, primary)
}

/// The open statistics of the last [`YEARS`] years up to `last_month`.
pub fn compute(input: &OpenInput) -> OpenStatistics {
    let last_year = input.last_month.year();
    let years: Vec<i32> = (last_year - YEARS + 1..=last_year).collect();
    let mut out = OpenStatistics {
        threshold: input.threshold,
        years: years.clone(),
        units: input.units.to_vec(),
        reports: Vec::new(),
        handled_within_deadline: Vec::new(),
        av_reportable: Vec::new(),
        net_cost: Vec::new(),
    };
    let counts = index(input);
    for y in years {
        out.reports.extend(reports_of_year(input, &counts, y));
        out.handled_within_deadline
            .extend(handled_of_year(input, &counts, y));
        out.av_reportable.extend(av_of_year(input, &counts, y));
        out.net_cost.extend(costs_of_year(input, y));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<PublicUnit> {
        ["UTB", "TEK", "KOM"]
            .iter()
            .map(|c| PublicUnit {
                code: (*c).into(),
                name: format!("Förvaltning {c}"),
            })
            .collect()
    }

    fn m(y: i32, n: u32) -> Month {
        Month::new(y, n).unwrap()
    }

    fn counts() -> Vec<TopCount> {
        let mut out = Vec::new();
        let mut add = |unit, month, kind: IncidentKind, n| {
            out.push(TopCount {
                unit,
                month,
                dim: dim::kind(kind),
                n,
            })
        };
        use IncidentKind::*;
        // UTB: many near-misses each month, 2 accidents in March (small).
        for n in 1..=3 {
            add(0, m(2026, n), NearMiss, 12);
        }
        add(0, m(2026, 3), Accident, 2);
        // TEK: 7 accidents in January, 3 threats in February (small).
        add(1, m(2026, 1), Accident, 7);
        add(1, m(2026, 2), ThreatViolence, 3);
        // KOM: 9 near-misses in February.
        add(2, m(2026, 2), NearMiss, 9);
        for (unit, due, within) in [(0, 40, 30), (1, 4, 4), (2, 10, 9)] {
            out.push(TopCount {
                unit,
                month: m(2026, 2),
                dim: dim::ACK_DUE.into(),
                n: due,
            });
            out.push(TopCount {
                unit,
                month: m(2026, 2),
                dim: dim::ACK_IN_TIME.into(),
                n: within,
            });
        }
        for (unit, n) in [(0, 6), (1, 2), (2, 8)] {
            out.push(TopCount {
                unit,
                month: m(2026, 5),
                dim: dim::AV.into(),
                n,
            });
        }
        out
    }

    fn case_costs() -> Vec<TopCaseCost> {
        let mut out = Vec::new();
        // UTB: ten cases of 1 000 kr; TEK: five cases, one of 90 000 kr (dominates);
        // KOM: two cases (too few).
        for _ in 0..10 {
            out.push(TopCaseCost {
                unit: 0,
                year: 2026,
                net_ore: 100_000,
            });
        }
        for net in [9_000_000, 100_000, 100_000, 100_000, 100_000] {
            out.push(TopCaseCost {
                unit: 1,
                year: 2026,
                net_ore: net,
            });
        }
        for _ in 0..2 {
            out.push(TopCaseCost {
                unit: 2,
                year: 2026,
                net_ore: 500_000,
            });
        }
        out
    }

    fn stats() -> OpenStatistics {
        let (units, counts, costs) = (units(), counts(), case_costs());
        compute(&OpenInput {
            units: &units,
            counts: &counts,
            case_costs: &costs,
            last_month: m(2026, 6),
            threshold: 5,
        })
    }

    type Key = (i32, Option<String>, Option<String>, Option<IncidentKind>);

    /// The differencing attack on the published report table, rebuilt from the published
    /// rows alone: every row and column total is a relation over the cells it sums.
    fn attack_reports(s: &OpenStatistics) -> Vec<(usize, i64)> {
        let index: HashMap<Key, usize> = s
            .reports
            .iter()
            .enumerate()
            .map(|(i, c)| ((c.year, c.month.clone(), c.unit.clone(), c.kind), i))
            .collect();
        let mut relations = Vec::new();
        for (i, c) in s.reports.iter().enumerate() {
            let parts = |f: &dyn Fn(&ReportCell) -> bool| -> Vec<usize> {
                s.reports
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| f(p))
                    .map(|(j, _)| j)
                    .collect()
            };
            if c.unit.is_none() {
                let p = parts(&|p: &ReportCell| {
                    p.year == c.year && p.month == c.month && p.kind == c.kind && p.unit.is_some()
                });
                relations.push(Relation { total: i, parts: p });
            }
            if c.month.is_none() {
                let p = parts(&|p: &ReportCell| {
                    p.year == c.year && p.unit == c.unit && p.kind == c.kind && p.month.is_some()
                });
                relations.push(Relation { total: i, parts: p });
            }
            if c.kind.is_none() {
                let p = parts(&|p: &ReportCell| {
                    p.year == c.year && p.unit == c.unit && p.month == c.month && p.kind.is_some()
                });
                relations.push(Relation { total: i, parts: p });
            }
        }
        assert!(index.len() == s.reports.len(), "one row per key");
        let visible: Vec<Option<i64>> = s.reports.iter().map(|c| c.reports.value).collect();
        disclosure::recoverable(&visible, &relations)
    }

    #[test]
    fn small_cells_are_never_published_and_cannot_be_recovered() {
        let s = stats();
        assert_eq!(s.years, vec![2022, 2023, 2024, 2025, 2026]);
        let cell = |month: Option<&str>, unit: Option<&str>, kind: Option<IncidentKind>| {
            s.reports
                .iter()
                .find(|c| {
                    c.year == 2026
                        && c.month.as_deref() == month
                        && c.unit.as_deref() == unit
                        && c.kind == kind
                })
                .unwrap()
                .reports
        };
        use IncidentKind::*;
        // Visible: UTB's near-misses in January, TEK's accidents in January.
        assert_eq!(
            cell(Some("2026-01"), Some("UTB"), Some(NearMiss)).value,
            Some(12)
        );
        assert_eq!(
            cell(Some("2026-01"), Some("TEK"), Some(Accident)).value,
            Some(7)
        );
        // Small: UTB's 2 accidents in March, TEK's 3 threats.
        let small = cell(Some("2026-03"), Some("UTB"), Some(Accident));
        assert_eq!(
            (small.value, small.protected),
            (None, Some(Protection::Small))
        );
        assert_eq!(
            cell(Some("2026-02"), Some("TEK"), Some(ThreatViolence)).value,
            None
        );
        // No month after the data's.
        assert!(s
            .reports
            .iter()
            .all(|c| c.month.as_deref() <= Some("2026-06")));
        // Every published count is at least the threshold.
        for c in &s.reports {
            if let Some(v) = c.reports.value {
                assert!(v >= 5, "{c:?}");
            }
        }
        // The grand total of the year is published: 36 + 2 + 7 + 3 + 9.
        assert_eq!(cell(None, None, None).value, Some(57));
        assert!(attack_reports(&s).is_empty());
    }

    #[test]
    fn without_secondary_suppression_the_attack_succeeds() {
        // The same table with only the small cells hidden: the attack must find them, or
        // the test above would prove nothing.
        let mut s = stats();
        for c in &mut s.reports {
            if c.reports.protected == Some(Protection::Secondary) {
                c.reports.value = Some(0);
            }
        }
        let (units, counts, costs) = (units(), counts(), case_costs());
        let truth = compute(&OpenInput {
            units: &units,
            counts: &counts,
            case_costs: &costs,
            last_month: m(2026, 6),
            threshold: 0,
        });
        for (c, t) in s.reports.iter_mut().zip(&truth.reports) {
            if c.reports.protected == Some(Protection::Secondary) {
                c.reports.value = t.reports.value;
            }
        }
        assert!(!attack_reports(&s).is_empty());
    }

    #[test]
    fn shares_av_and_costs_per_year() {
        let s = stats();
        let share = |u: Option<&str>| {
            s.handled_within_deadline
                .iter()
                .find(|c| c.year == 2026 && c.unit.as_deref() == u)
                .unwrap()
                .clone()
        };
        assert_eq!(share(Some("UTB")).share_bp, Some(7500));
        // TEK had 4 reports with a deadline: too few to show a share.
        assert_eq!(share(Some("TEK")).share_bp, None);
        assert_eq!(share(None).share_bp, Some(7963)); // 43 of 54
        let av = |u: Option<&str>| {
            s.av_reportable
                .iter()
                .find(|c| c.year == 2026 && c.unit.as_deref() == u)
                .unwrap()
                .value
        };
        // TEK's 2 is small; KOM's 8 or UTB's 6 must go too, or 16 − 6 − 8 gives it away.
        assert_eq!(av(Some("TEK")).protected, Some(Protection::Small));
        assert_eq!(av(Some("UTB")).protected, Some(Protection::Secondary));
        assert_eq!(av(Some("KOM")).value, Some(8));
        assert_eq!(av(None).value, Some(16));
        let cost = |u: Option<&str>| {
            s.net_cost
                .iter()
                .find(|c| c.year == 2026 && c.unit.as_deref() == u)
                .unwrap()
                .value
        };
        assert_eq!(cost(Some("UTB")).value, Some(1_000_000));
        assert_eq!(cost(Some("TEK")).protected, Some(Protection::Dominated));
        assert_eq!(cost(Some("KOM")).protected, Some(Protection::Small));
        // 17 cases, the largest 9 000 000 of 11 400 000 öre: 79 %, not dominated.
        assert_eq!(cost(None).value, Some(11_400_000));
    }
}
