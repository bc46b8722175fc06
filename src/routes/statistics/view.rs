//! What `GET /reports/yearly` answers: the follow-up with its frame (municipality, unit,
//! period, deadlines, when the figures were computed).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::month_text;
use crate::domain::yearly::{CaseSections, Costs, UnitRef};
use crate::i18n::{Lang, Msg};
use crate::ops::statistics::yearly::YearlyAnswer;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlinesView {
    /// Hours to acknowledge a serious report.
    pub serious_hours: u32,
    /// Working days to acknowledge any other report.
    pub working_days: u32,
    /// Hours within which Arbetsmiljöverket is to be told.
    pub legal_duty_hours: i64,
}

/// The yearly follow-up. Money in öre (SEK); shares in basis points; `*_x100` in hundredths.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearlyReportView {
    pub municipality: String,
    pub unit: UnitRef,
    pub period: PeriodView,
    pub generated_at: DateTime<Utc>,
    /// When the monthly counts (reporting culture) were last recomputed.
    pub rollup_at: Option<DateTime<Utc>>,
    pub deadlines: DeadlinesView,
    /// Vision, reporting, handling, duties, actions, per child unit: for coordinators and the
    /// unit's managers; absent for finance.
    pub cases: Option<CaseSections>,
    /// The cost sections: for whoever may see the unit's costs.
    pub costs: Option<Costs>,
    pub currency: &'static str,
    /// What the ratio of near-misses to accidents means, in the caller's language.
    pub reporting_note: String,
}

pub struct Frame {
    pub municipality: String,
    pub generated_at: DateTime<Utc>,
    pub deadlines: DeadlinesView,
}

pub fn view(answer: YearlyAnswer, frame: Frame, lang: Lang) -> YearlyReportView {
    let p = answer.period;
    let before = p.year_before();
    YearlyReportView {
        municipality: frame.municipality,
        unit: answer.unit,
        period: PeriodView {
            from: month_text(p.from),
            to: month_text(p.to),
            previous_from: month_text(before.from),
            previous_to: month_text(before.to),
        },
        generated_at: frame.generated_at,
        rollup_at: answer.rollup_at,
        deadlines: frame.deadlines,
        cases: answer.cases,
        costs: answer.costs,
        currency: "SEK",
        reporting_note: lang.t(Msg::YearlyReportingNote).to_owned(),
    }
}
