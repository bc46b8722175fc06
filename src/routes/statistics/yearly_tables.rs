//! The yearly follow-up as one CSV table for Swedish Excel: one row per figure, with its
//! section, measure, key (a kind, a unit, a month…) and period.

use super::super::costs::export::{column, Cell, Kind, Table};
use super::view::YearlyReportView;
use crate::domain::yearly::{Money, MonthSeries};
use crate::domain::{Consequence, IncidentKind};
use crate::i18n::Lang;

struct Rows<'a> {
    rows: Vec<Vec<Cell>>,
    period: String,
    previous: String,
    lang: Lang,
    section: &'a str,
}

impl Rows<'_> {
    fn push(&mut self, measure: &str, key: &str, period: &str, value: Cell) {
        self.rows.push(vec![
            Cell::Text(self.section.to_owned()),
            Cell::Text(measure.to_owned()),
            Cell::Text(key.to_owned()),
            Cell::Text(period.to_owned()),
            value,
        ]);
    }

    fn now(&mut self, measure: &str, key: &str, value: Cell) {
        let p = self.period.clone();
        self.push(measure, key, &p, value);
    }

    fn before(&mut self, measure: &str, key: &str, value: Cell) {
        let p = self.previous.clone();
        self.push(measure, key, &p, value);
    }

    fn t(&self, sv: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(sv, en)
    }

    fn series(&mut self, measure: &str, s: &MonthSeries, label: &str, months: &[String]) {
        for (m, n) in months.iter().zip(&s.months) {
            self.push(measure, label, m, Cell::Count(*n));
        }
        self.now(measure, label, Cell::Count(s.total));
        self.before(measure, label, Cell::Count(s.previous));
    }

    fn money(&mut self, key: &str, m: &Money) {
        let (c, r, n) = (
            self.t("Kostnad", "Cost"),
            self.t("Ersättning", "Recovery"),
            self.t("Nettokostnad", "Net cost"),
        );
        self.now(c, key, Cell::Money(crate::domain::money::Ore(m.cost_ore)));
        self.now(
            r,
            key,
            Cell::Money(crate::domain::money::Ore(m.recovery_ore)),
        );
        self.now(n, key, Cell::Money(crate::domain::money::Ore(m.net_ore)));
        self.before(
            n,
            key,
            Cell::Money(crate::domain::money::Ore(m.previous_net_ore)),
        );
    }
}

fn kind_label(key: &str, lang: Lang) -> String {
    key.parse::<IncidentKind>()
        .map(|k| k.label(lang).to_owned())
        .unwrap_or_else(|()| key.to_owned())
}

fn consequence_label(key: &str, lang: Lang) -> String {
    let sv_en = match key.parse::<Consequence>() {
        Ok(Consequence::Person) => ("människa", "people"),
        Ok(Consequence::Environment) => ("miljö", "environment"),
        Ok(Consequence::Cultural) => ("kulturvärden", "cultural values"),
        Ok(Consequence::Economic) => ("ekonomiska värden", "economic values"),
        Ok(Consequence::Service) => ("kommunal service", "municipal service"),
        Err(()) => return key.to_owned(),
    };
    lang.pick(sv_en.0, sv_en.1).to_owned()
}

pub fn table(v: &YearlyReportView, lang: Lang) -> Table {
    let mut r = Rows {
        rows: Vec::new(),
        period: format!("{}–{}", v.period.from, v.period.to),
        previous: format!("{}–{}", v.period.previous_from, v.period.previous_to),
        lang,
        section: "",
    };
    if let Some(c) = &v.cases {
        r.section = lang.pick("Visionen", "Vision");
        for f in &c.vision {
            let line = f.line.as_str();
            r.now(line, "", Cell::Count(f.count));
            r.before(line, "", Cell::Count(f.previous));
            let refs = r.t("ärenden", "cases");
            r.now(line, refs, Cell::Text(f.cases.join(" ")));
        }
        r.section = lang.pick("Rapporteringskultur", "Reporting culture");
        let rep = &c.reporting;
        let n = r.t("Rapporter", "Reports");
        r.now(n, "", Cell::Count(rep.reports));
        r.before(n, "", Cell::Count(rep.previous_reports));
        let by_kind = r.t("Rapporter per slag", "Reports by kind");
        for s in &rep.by_kind {
            r.series(by_kind, s, &kind_label(&s.key, lang), &rep.months);
        }
        let by_area = r.t(
            "Rapporter per konsekvensområde",
            "Reports by consequence area",
        );
        for s in &rep.by_consequence {
            r.series(by_area, s, &consequence_label(&s.key, lang), &rep.months);
        }
        let ratio = r.t(
            "Tillbud och riskobservationer per olycka",
            "Near-misses and observations per accident",
        );
        r.now(ratio, "", Cell::Percent(rep.proactive_per_accident_x100));
        let per100 = r.t("Rapporter per 100 anställda", "Reports per 100 employees");
        r.now(per100, "", Cell::Percent(rep.per_100_employees_x100));
        r.section = lang.pick("Hantering", "Handling");
        let h = &c.handling;
        let scalars: [(&str, &str, Cell); 9] = [
            ("Ärenden", "Cases", Cell::Count(h.cases)),
            (
                "Minuter till kvittens, median",
                "Minutes to acknowledge, median",
                opt_count(h.ack_median_minutes),
            ),
            (
                "Minuter till kvittens, 90:e percentil",
                "Minutes to acknowledge, 90th percentile",
                opt_count(h.ack_p90_minutes),
            ),
            (
                "Kvitterade inom tidsgränsen, %",
                "Acknowledged within the deadline, %",
                Cell::Percent(h.within_deadline_bp),
            ),
            (
                "Eskalerade, %",
                "Escalated, %",
                Cell::Percent(h.escalated_bp),
            ),
            ("Avslutade, %", "Closed, %", Cell::Percent(h.closed_bp)),
            (
                "Öppna vid periodens slut",
                "Open at the end of the period",
                Cell::Count(h.open_at_end),
            ),
            (
                "Öppna ärendens ålder i dagar, median",
                "Age of open cases in days, median",
                opt_count(h.open_age_median_days),
            ),
            ("Utan riskbedömning", "Not rated", Cell::Count(h.unrated)),
        ];
        for (sv, en, cell) in scalars {
            r.now(lang.pick(sv, en), "", cell);
        }
        let risk = r.t(
            "Riskmatris (sannolikhet × konsekvens)",
            "Risk matrix (likelihood × consequence)",
        );
        for (l, row) in h.risk_matrix.iter().enumerate() {
            for (k, n) in row.iter().enumerate() {
                r.now(risk, &format!("{}×{}", l + 1, k + 1), Cell::Count(*n));
            }
        }
        let cause = r.t("Orsakskategori", "Cause category");
        let none = r.t("(ej klassad)", "(not classified)");
        for cc in &h.top_causes {
            let key = if cc.category.is_empty() {
                none
            } else {
                cc.category.as_str()
            };
            r.now(cause, key, Cell::Count(cc.cases));
        }
        r.section = lang.pick("Lagstadgade anmälningar", "Legal duties");
        for d in &c.duties {
            let who = d.authority.label(lang);
            for (sv, en, n) in [
                ("Skulle anmälas", "Due", d.due),
                ("I tid", "On time", d.on_time),
                ("Sent", "Late", d.late),
                ("Inte anmält", "Not reported", d.open),
            ] {
                r.now(lang.pick(sv, en), who, Cell::Count(n));
            }
        }
        r.section = lang.pick("Åtgärder", "Corrective actions");
        let a = &c.actions;
        for (sv, en, cell) in [
            ("Skapade", "Created", Cell::Count(a.created)),
            ("Planerade", "Planned", Cell::Count(a.planned)),
            ("Pågår", "In progress", Cell::Count(a.in_progress)),
            ("Utförda", "Done", Cell::Count(a.done)),
            ("Verifierade", "Verified", Cell::Count(a.verified)),
            ("Avbrutna", "Cancelled", Cell::Count(a.cancelled)),
            (
                "Utförda i tid, %",
                "Done by the due date, %",
                Cell::Percent(a.done_by_due_bp),
            ),
            (
                "Försenade vid periodens slut",
                "Overdue at the end of the period",
                Cell::Count(a.overdue_at_end),
            ),
        ] {
            r.now(lang.pick(sv, en), "", cell);
        }
        r.section = lang.pick("Per enhet", "Per unit");
        for row in &c.children {
            let u = row.unit.name.as_str();
            for (sv, en, cell) in [
                ("Rapporter", "Reports", Cell::Count(row.reports)),
                ("Olyckor", "Accidents", Cell::Count(row.accidents)),
                (
                    "Tillbud och riskobservationer",
                    "Near-misses and observations",
                    Cell::Count(row.near_misses_and_observations),
                ),
                (
                    "Kvitterade inom tidsgränsen, %",
                    "Acknowledged within the deadline, %",
                    Cell::Percent(row.within_deadline_bp),
                ),
                (
                    "Öppna vid periodens slut",
                    "Open at the end",
                    Cell::Count(row.open_at_end),
                ),
                (
                    "Anmälningspliktiga till Arbetsmiljöverket",
                    "Reportable to Arbetsmiljöverket",
                    Cell::Count(row.av_due),
                ),
                (
                    "Försenade åtgärder",
                    "Overdue actions",
                    Cell::Count(row.overdue_actions),
                ),
                (
                    "Rapporter per 100 anställda",
                    "Reports per 100 employees",
                    Cell::Percent(row.per_100_employees_x100),
                ),
            ] {
                r.now(lang.pick(sv, en), u, cell);
            }
        }
    }
    if let Some(costs) = &v.costs {
        r.section = lang.pick("Skadekostnader", "Damage costs");
        let total = r.t("Hela enheten", "The whole unit");
        r.money(total, &costs.total);
        for c in &costs.by_category {
            r.money(&c.category, &c.money);
        }
        for u in &costs.by_unit {
            r.money(&u.unit.name, &u.money);
        }
    }
    Table {
        name: format!("uppfoljning-{}-{}", v.period.from, v.period.to),
        columns: vec![
            column(lang.pick("Avsnitt", "Section"), Kind::Text, 24.0),
            column(lang.pick("Mått", "Measure"), Kind::Text, 40.0),
            column(lang.pick("Nyckel", "Key"), Kind::Text, 24.0),
            column("Period", Kind::Text, 16.0),
            column(lang.pick("Värde", "Value"), Kind::Text, 14.0),
        ],
        rows: r.rows,
    }
}

fn opt_count(v: Option<i64>) -> Cell {
    v.map(Cell::Count).unwrap_or(Cell::Text(String::new()))
}
