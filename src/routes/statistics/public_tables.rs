//! The open statistics as one CSV: a `table` column names which table a row belongs to
//! (`licence` and `data_as_of` first), hidden cells read `< 5` or `x`, never a number.

use super::super::costs::export::{column, Cell, Kind, Table};
use super::public::PublicStatisticsView;
use crate::domain::disclosure::Protection;
use crate::domain::money::Ore;
use crate::domain::open_stats::Published;
use crate::i18n::Lang;

/// What a hidden cell reads: `< 5` for a small count, `x` for the others.
pub fn hidden_text(p: Protection, threshold: i64) -> String {
    match p {
        Protection::Small => format!("< {threshold}"),
        Protection::Dominated | Protection::Secondary => "x".to_owned(),
    }
}

fn cell(p: &Published, threshold: i64, money: bool) -> Cell {
    match (p.value, p.protected) {
        (Some(v), _) if money => Cell::Money(Ore(v)),
        (Some(v), _) => Cell::Count(v),
        (None, Some(why)) => Cell::Text(hidden_text(why, threshold)),
        (None, None) => Cell::Text(String::new()),
    }
}

pub fn table(v: &PublicStatisticsView, lang: Lang) -> Table {
    let s = &v.statistics;
    let t = s.threshold;
    let all = lang.pick("alla", "all").to_owned();
    let name = |code: &Option<String>| -> String {
        code.as_ref()
            .and_then(|c| s.units.iter().find(|u| &u.code == c))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| all.clone())
    };
    let text = |x: &str| Cell::Text(x.to_owned());
    let mut rows = vec![
        vec![
            text("licence"),
            text(""),
            text(""),
            text(""),
            text(""),
            text(&v.licence),
        ],
        vec![
            text("data_as_of"),
            text(""),
            text(""),
            text(""),
            text(""),
            text(&crate::domain::calendar::stockholm_date(v.data_as_of).to_string()),
        ],
    ];
    for c in &s.reports {
        rows.push(vec![
            text("reports"),
            Cell::Count(c.year.into()),
            text(c.month.as_deref().unwrap_or(&all)),
            Cell::Text(name(&c.unit)),
            text(c.kind.map(|k| k.label(lang)).unwrap_or(&all)),
            cell(&c.reports, t, false),
        ]);
    }
    for c in &s.handled_within_deadline {
        rows.push(vec![
            text("handled_within_deadline_percent"),
            Cell::Count(c.year.into()),
            text(&all),
            Cell::Text(name(&c.unit)),
            text(&all),
            match c.protected {
                Some(p) => Cell::Text(hidden_text(p, t)),
                None => Cell::Percent(c.share_bp),
            },
        ]);
    }
    for (table, list, money) in [
        ("av_reportable", &s.av_reportable, false),
        ("net_cost_sek", &s.net_cost, true),
    ] {
        for c in list {
            rows.push(vec![
                text(table),
                Cell::Count(c.year.into()),
                text(&all),
                Cell::Text(name(&c.unit)),
                text(&all),
                cell(&c.value, t, money),
            ]);
        }
    }
    Table {
        name: format!("statistik-{}", v.year),
        columns: vec![
            column(lang.pick("tabell", "table"), Kind::Text, 20.0),
            column(lang.pick("år", "year"), Kind::Count, 8.0),
            column(lang.pick("månad", "month"), Kind::Text, 10.0),
            column(
                lang.pick("förvaltning_eller_bolag", "administration_or_company"),
                Kind::Text,
                30.0,
            ),
            column(lang.pick("slag", "kind"), Kind::Text, 20.0),
            column(lang.pick("värde", "value"), Kind::Text, 14.0),
        ],
        rows,
    }
}
