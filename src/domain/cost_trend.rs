//! A cost trend as answered: every period of the range with its totals and case count, its
//! breakdown, and the same period a year earlier beside it. Built from cells that either the
//! rollups or the plain aggregation over the entries supply, so both answers are compared as
//! whole values (the property test and the benchmark do).

use std::collections::{BTreeMap, BTreeSet};

use super::cost::{BasisFilter, Totals};
use super::cost_period::{Bucket, GroupBy, Range};
use super::money::Ore;

/// What is asked. The unit scope is resolved by the caller (it needs the org tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendQuery {
    pub range: Range,
    pub group_by: GroupBy,
    pub basis: BasisFilter,
}

/// Money and distinct cases of one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub totals: Totals,
    pub cases: i64,
}

impl Figures {
    pub fn is_zero(&self) -> bool {
        self.totals.is_zero() && self.cases == 0
    }
}

/// Per period key and group (`None`: the period's total over every group).
pub type Cells = BTreeMap<(i32, Option<String>), Figures>;

/// A change from a year earlier: in öre, and in basis points of the earlier net (1 bp =
/// 0.01 %), rounded half away from zero; no percentage when the earlier net was zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub ore: Ore,
    pub basis_points: Option<i64>,
}

pub fn change(current: Ore, previous: Ore) -> Change {
    let diff = current - previous;
    let basis_points = (previous != Ore::ZERO).then(|| {
        let num = i128::from(diff.ore()) * 10_000;
        let den = i128::from(previous.ore()).abs();
        let q = (num.abs() + den / 2) / den;
        let q = if num < 0 { -q } else { q };
        i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
    });
    Change {
        ore: diff,
        basis_points,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPoint {
    pub key: String,
    pub current: Figures,
    pub previous: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub bucket: Bucket,
    pub current: Figures,
    /// The same period a year earlier.
    pub previous: Figures,
    /// The breakdown: groups with anything this period or a year earlier, in group order.
    pub groups: Vec<GroupPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    pub query: TrendQuery,
    pub points: Vec<Point>,
    /// Every group that appears in some point, in order (the chart's legend).
    pub groups: Vec<String>,
    /// The whole range's money (cases are not added up: a case may span periods).
    pub total: Totals,
    pub previous_total: Totals,
}

/// Builds the answer. `previous` holds the cells of [`Range::year_earlier`]; `order` is the
/// preferred order of group keys (configured categories, kinds, units by name); keys not in
/// it follow, sorted.
pub fn assemble(query: TrendQuery, current: &Cells, previous: &Cells, order: &[String]) -> Trend {
    let get = |cells: &Cells, key: i32, group: Option<&str>| -> Figures {
        cells
            .get(&(key, group.map(str::to_owned)))
            .copied()
            .unwrap_or_default()
    };
    let present: BTreeSet<&str> = current
        .keys()
        .chain(previous.keys())
        .filter_map(|(_, g)| g.as_deref())
        .collect();
    let mut keys: Vec<String> = order
        .iter()
        .filter(|k| present.contains(k.as_str()))
        .cloned()
        .collect();
    keys.extend(
        present
            .iter()
            .filter(|k| !order.iter().any(|o| o == *k))
            .map(|k| (*k).to_owned()),
    );
    let mut points = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let (mut total, mut previous_total) = (Totals::default(), Totals::default());
    for bucket in query.range.buckets() {
        let prev_key = bucket.key - 100;
        let groups: Vec<GroupPoint> = keys
            .iter()
            .map(|k| GroupPoint {
                key: k.clone(),
                current: get(current, bucket.key, Some(k)),
                previous: get(previous, prev_key, Some(k)),
            })
            .filter(|g| !(g.current.is_zero() && g.previous.is_zero()))
            .collect();
        used.extend(groups.iter().map(|g| g.key.clone()));
        let point = Point {
            bucket,
            current: get(current, bucket.key, None),
            previous: get(previous, prev_key, None),
            groups,
        };
        total.cost += point.current.totals.cost;
        total.recovery += point.current.totals.recovery;
        previous_total.cost += point.previous.totals.cost;
        previous_total.recovery += point.previous.totals.recovery;
        points.push(point);
    }
    let groups = if query.group_by == GroupBy::None {
        Vec::new()
    } else {
        keys.into_iter().filter(|k| used.contains(k)).collect()
    };
    Trend {
        query,
        points,
        groups,
        total,
        previous_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cost_period::{Month, PeriodKind};

    fn figures(cost: i64, recovery: i64, cases: i64) -> Figures {
        Figures {
            totals: Totals {
                cost: Ore(cost),
                recovery: Ore(recovery),
            },
            cases,
        }
    }

    #[test]
    fn change_in_percent_rounds_half_away_from_zero() {
        assert_eq!(change(Ore(150), Ore(100)).basis_points, Some(5_000));
        assert_eq!(change(Ore(50), Ore(100)).basis_points, Some(-5_000));
        assert_eq!(change(Ore(1), Ore(3)).basis_points, Some(-6_667));
        assert_eq!(change(Ore(-50), Ore(-100)).basis_points, Some(5_000));
        assert_eq!(
            change(Ore(10), Ore(0)),
            Change {
                ore: Ore(10),
                basis_points: None
            }
        );
    }

    #[test]
    fn every_period_is_listed_and_groups_follow_the_order() {
        let range = Range::new(
            PeriodKind::Year,
            Month::parse("2025-01").unwrap(),
            Month::parse("2026-06").unwrap(),
        )
        .unwrap();
        let query = TrendQuery {
            range,
            group_by: GroupBy::Category,
            basis: BasisFilter::Actual,
        };
        let mut current = Cells::new();
        current.insert((202600, None), figures(500, 100, 2));
        current.insert((202600, Some("sjuklon".into())), figures(300, 0, 1));
        current.insert((202600, Some("egendom".into())), figures(200, 100, 1));
        let mut previous = Cells::new();
        previous.insert((202500, Some("okand".into())), figures(40, 0, 1));
        previous.insert((202500, None), figures(40, 0, 1));
        let order = ["egendom".to_owned(), "sjuklon".to_owned()];
        let t = assemble(query, &current, &previous, &order);
        assert_eq!(t.points.len(), 2);
        assert!(t.points[0].current.is_zero());
        let p = &t.points[1];
        assert_eq!(p.previous, figures(40, 0, 1));
        let keys: Vec<&str> = p.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["egendom", "sjuklon", "okand"]);
        assert_eq!(t.groups, ["egendom", "sjuklon", "okand"]);
        assert_eq!(t.total.net(), Ore(400));
    }
}
