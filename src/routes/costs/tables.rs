//! The exports' rows: the same numbers the JSON answers carry, one row per period (and per
//! group of the breakdown), headers in the caller's language.

use super::dto::{CostCaseItem, TrendView};
use super::export::{column, Cell, Column, Kind, Table};
use crate::domain::money::Ore;
use crate::i18n::Lang;
use crate::i18n::Msg;

fn trend_columns(lang: Lang) -> Vec<Column> {
    let h = |m| lang.t(m);
    vec![
        column(h(Msg::ColPeriod), Kind::Text, 12.0),
        column(h(Msg::ColFrom), Kind::Text, 11.0),
        column(h(Msg::ColTo), Kind::Text, 11.0),
        column(h(Msg::ColGroup), Kind::Text, 34.0),
        column(h(Msg::ColCost), Kind::Money, 16.0),
        column(h(Msg::ColRecovered), Kind::Money, 16.0),
        column(h(Msg::ColNet), Kind::Money, 16.0),
        column(h(Msg::ColCases), Kind::Count, 9.0),
        column(h(Msg::ColNetYearEarlier), Kind::Money, 20.0),
        column(h(Msg::ColChange), Kind::Money, 16.0),
        column(h(Msg::ColChangePercent), Kind::Percent, 12.0),
    ]
}

/// The trend as a table: for each period a total row, then its groups.
pub fn trend(t: &TrendView, lang: Lang) -> Table {
    let label = |key: &str| {
        t.groups
            .iter()
            .find(|g| g.key == key)
            .map(|g| g.label.clone())
            .unwrap_or_else(|| key.to_owned())
    };
    let total = lang.t(Msg::CostTotal).to_owned();
    let mut rows = Vec::new();
    for p in &t.points {
        let mut row =
            |group: String, cost, recovery, net, cases, prev: &super::dto::YearEarlier| {
                rows.push(vec![
                    Cell::Text(p.period.clone()),
                    Cell::Text(p.start.clone()),
                    Cell::Text(p.end.clone()),
                    Cell::Text(group),
                    Cell::Money(Ore(cost)),
                    Cell::Money(Ore(recovery)),
                    Cell::Money(Ore(net)),
                    Cell::Count(cases),
                    Cell::Money(Ore(prev.net_ore)),
                    Cell::Money(Ore(prev.change_ore)),
                    Cell::Percent(prev.change_basis_points),
                ]);
            };
        row(
            total.clone(),
            p.cost_ore,
            p.recovery_ore,
            p.net_ore,
            p.cases,
            &p.previous_year,
        );
        for g in &p.groups {
            row(
                label(&g.key),
                g.cost_ore,
                g.recovery_ore,
                g.net_ore,
                g.cases,
                &g.previous_year,
            );
        }
    }
    Table {
        name: format!("kostnader-{}-{}", t.from, t.to),
        columns: trend_columns(lang),
        rows,
    }
}

/// Rows a trend export will have: known from the answer before the file is built.
pub fn trend_rows(t: &TrendView) -> i64 {
    t.points.iter().map(|p| 1 + p.groups.len() as i64).sum()
}

/// The cases with costs as a table.
pub fn cases(items: &[CostCaseItem], from: &str, to: &str, lang: Lang) -> Table {
    let h = |m| lang.t(m);
    let columns = vec![
        column(h(Msg::ColCase), Kind::Text, 38.0),
        column(h(Msg::ColTitle), Kind::Text, 40.0),
        column(h(Msg::ColKind), Kind::Text, 18.0),
        column(h(Msg::ColUnit), Kind::Text, 30.0),
        column(h(Msg::ColDate), Kind::Text, 11.0),
        column(h(Msg::ColStatus), Kind::Text, 18.0),
        column(h(Msg::ColCost), Kind::Money, 16.0),
        column(h(Msg::ColRecovered), Kind::Money, 16.0),
        column(h(Msg::ColNet), Kind::Money, 16.0),
        column(h(Msg::ColClaim), Kind::Text, 18.0),
    ];
    let rows = items
        .iter()
        .map(|i| {
            vec![
                Cell::Text(i.case.id.clone()),
                Cell::Text(i.case.title.clone()),
                Cell::Text(i.case.kind_label.clone()),
                Cell::Text(i.case.unit.name.clone()),
                Cell::Text(i.case.occurred_on.clone()),
                Cell::Text(i.case.status_label.clone()),
                Cell::Money(Ore(i.cost_ore)),
                Cell::Money(Ore(i.recovery_ore)),
                Cell::Money(Ore(i.net_ore)),
                Cell::Text(i.claim_state_label.clone()),
            ]
        })
        .collect();
    Table {
        name: format!("arenden-{from}-{to}"),
        columns,
        rows,
    }
}
