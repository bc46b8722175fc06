//! What the cost endpoints answer with, and how it is made from the domain's values. Every
//! amount is integer öre (`…_ore`) with `currency: "SEK"`; every code comes with its label
//! in the caller's language, so pages show the server's words.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::costs::access::UnitRef;
use crate::db::costs::entries::Claim;
use crate::db::costs::lists::CostView;
use crate::domain::cost::{
    Basis, BasisFilter, CaseTotals, ClaimState, CostCategories, CostEntry, Direction, Origin,
    Totals,
};
use crate::domain::cost_period::{Bucket, GroupBy, PeriodKind};
use crate::domain::cost_trend::{self, Figures, Trend};
use crate::domain::{calendar, IncidentKind, IncidentStatus};
use crate::i18n::Lang;
use crate::i18n::Msg;
use crate::ops::costs::read::{CaseCosts, CaseItem, ClaimItem, TrendAnswer};

pub const SEK: &str = "SEK";

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    pub id: String,
    pub name: String,
}

impl From<UnitRef> for UnitView {
    fn from(u: UnitRef) -> UnitView {
        UnitView {
            id: u.id,
            name: u.name,
        }
    }
}

/// What finance sees of a case: never the description, reporter, photos, investigation or
/// comments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseCostView {
    /// The case's id, its reference.
    pub id: String,
    pub kind: IncidentKind,
    pub kind_label: String,
    pub unit: UnitView,
    /// The day it happened (Europe/Stockholm).
    #[schema(format = Date)]
    pub occurred_on: String,
    pub status: IncidentStatus,
    pub status_label: String,
    pub title: String,
}

pub fn case_view(v: CostView, lang: Lang) -> CaseCostView {
    CaseCostView {
        kind_label: v.kind.label(lang).to_owned(),
        status_label: v.status.label(lang).to_owned(),
        occurred_on: calendar::stockholm_date(utc(v.occurred_at)).to_string(),
        unit: UnitView {
            id: v.org_unit_id,
            name: v.org_unit_name,
        },
        id: v.id,
        kind: v.kind,
        status: v.status,
        title: v.title,
    }
}

/// One cost entry. Entries never change; a reversal is an entry of its own.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    pub id: String,
    pub incident_id: String,
    pub category: String,
    pub category_label: String,
    pub direction: Direction,
    pub direction_label: String,
    pub basis: Basis,
    pub basis_label: String,
    /// Always positive, in öre.
    #[schema(minimum = 1)]
    pub amount_ore: i64,
    /// As it counts: negative for a reversal.
    pub signed_ore: i64,
    #[schema(example = "SEK")]
    pub currency: String,
    #[schema(format = Date)]
    pub incurred_on: String,
    pub voucher_ref: Option<String>,
    pub note: Option<String>,
    pub origin: Origin,
    pub origin_label: String,
    /// The entry this one reverses.
    pub reverses: Option<String>,
    /// The entry that reverses this one.
    pub reversed_by: Option<String>,
    pub reason: Option<String>,
    /// The unit the amount counts for.
    pub org_unit_id: String,
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
}

pub fn entry_view(
    e: &CostEntry,
    reversed_by: Option<String>,
    categories: &CostCategories,
    lang: Lang,
) -> EntryView {
    EntryView {
        id: e.id.clone(),
        incident_id: e.incident_id.clone(),
        category: e.category.clone(),
        category_label: categories.label(&e.category, lang),
        direction: e.direction,
        direction_label: e.direction.label(lang).to_owned(),
        basis: e.basis,
        basis_label: e.basis.label(lang).to_owned(),
        amount_ore: e.amount.ore(),
        signed_ore: e.signed().ore(),
        currency: SEK.into(),
        incurred_on: e.incurred_on.to_string(),
        voucher_ref: e.voucher_ref.clone(),
        note: e.note.clone(),
        origin: e.origin,
        origin_label: e.origin.label(lang).to_owned(),
        reverses: e.reverses_id.clone(),
        reversed_by,
        reason: e.reason.clone(),
        org_unit_id: e.org_unit_id.clone(),
        entered_by: e.entered_by.clone(),
        entered_at: utc(e.entered_at),
    }
}

/// Costs, recoveries and net, in öre.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct TotalsView {
    pub cost_ore: i64,
    pub recovery_ore: i64,
    /// Cost minus recoveries.
    pub net_ore: i64,
}

impl From<Totals> for TotalsView {
    fn from(t: Totals) -> TotalsView {
        TotalsView {
            cost_ore: t.cost.ore(),
            recovery_ore: t.recovery.ore(),
            net_ore: t.net().ore(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseTotalsView {
    /// Booked amounts (utfall).
    pub actual: TotalsView,
    /// Expected amounts (uppskattning).
    pub estimate: TotalsView,
    /// Both together.
    pub all: TotalsView,
}

impl From<CaseTotals> for CaseTotalsView {
    fn from(t: CaseTotals) -> CaseTotalsView {
        CaseTotalsView {
            actual: t.actual.into(),
            estimate: t.estimate.into(),
            all: t.all().into(),
        }
    }
}

/// A case's insurance claim; `state: none` and `version: 0` until one is set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimView {
    pub state: ClaimState,
    pub state_label: String,
    pub insurer: Option<String>,
    pub claim_number: Option<String>,
    /// Självrisk, in öre.
    pub deductible_ore: Option<i64>,
    pub expected_recovery_ore: Option<i64>,
    /// For `If-Match` (also the `ETag`).
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub fn claim_view(claim: Option<&Claim>, lang: Lang) -> ClaimView {
    let state = claim.map(|c| c.state).unwrap_or(ClaimState::None);
    ClaimView {
        state,
        state_label: state.label(lang).to_owned(),
        insurer: claim.and_then(|c| c.row.insurer.clone()),
        claim_number: claim.and_then(|c| c.row.claim_number.clone()),
        deductible_ore: claim.and_then(|c| c.row.deductible_ore),
        expected_recovery_ore: claim.and_then(|c| c.row.expected_recovery_ore),
        version: claim.map(|c| c.row.version).unwrap_or(0),
        updated_by: claim.map(|c| c.row.updated_by.clone()),
        updated_at: claim.map(|c| utc(c.row.updated_at)),
    }
}

/// A case's money: its entries (the history, oldest first), totals and claim.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseCostsView {
    pub case: CaseCostView,
    #[schema(example = "SEK")]
    pub currency: String,
    pub entries: Vec<EntryView>,
    pub totals: CaseTotalsView,
    pub claim: ClaimView,
    /// Whether the caller may set the claim (finance, coordinators; a manager may not).
    pub can_set_claim: bool,
    /// The units the entries count for (a moved case has entries on its earlier unit).
    pub units: Vec<UnitView>,
}

pub fn case_costs(c: CaseCosts, categories: &CostCategories, lang: Lang) -> CaseCostsView {
    let entries = c
        .entries
        .iter()
        .map(|e| entry_view(e, c.reversed_by.get(&e.id).cloned(), categories, lang))
        .collect();
    CaseCostsView {
        case: case_view(c.view, lang),
        currency: SEK.into(),
        entries,
        totals: c.totals.into(),
        claim: claim_view(c.claim.as_ref(), lang),
        can_set_claim: c.can_set_claim,
        units: c
            .unit_names
            .into_iter()
            .map(|(id, name)| UnitView { id, name })
            .collect(),
    }
}

/// The same figures a year earlier, and the change since.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearEarlier {
    /// The period a year earlier (`2025-03`, `2025-Q1`, `2025`).
    pub period: String,
    pub cost_ore: i64,
    pub recovery_ore: i64,
    pub net_ore: i64,
    pub cases: i64,
    /// Net now minus net then, in öre.
    pub change_ore: i64,
    /// The change in basis points of the earlier net (1250 = 12,50 %); `null` when the
    /// earlier net was zero.
    pub change_basis_points: Option<i64>,
}

fn year_earlier(period: String, now: &Figures, then: &Figures) -> YearEarlier {
    let change = cost_trend::change(now.totals.net(), then.totals.net());
    YearEarlier {
        period,
        cost_ore: then.totals.cost.ore(),
        recovery_ore: then.totals.recovery.ore(),
        net_ore: then.totals.net().ore(),
        cases: then.cases,
        change_ore: change.ore.ore(),
        change_basis_points: change.basis_points,
    }
}

/// One group of one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupPointView {
    pub key: String,
    pub cost_ore: i64,
    pub recovery_ore: i64,
    pub net_ore: i64,
    /// Cases with standing entries in the group and period.
    pub cases: i64,
    pub previous_year: YearEarlier,
}

/// One period of a trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointView {
    /// `2026-03`, `2026-Q1` or `2026`.
    pub period: String,
    /// The period in words: `mars 2026`, `kvartal 1 2026`, `2026 (jan–nov)`.
    pub label: String,
    #[schema(format = Date)]
    pub start: String,
    #[schema(format = Date)]
    pub end: String,
    /// A year that ends before December (compared with the same months a year earlier).
    pub year_to_date: bool,
    pub cost_ore: i64,
    pub recovery_ore: i64,
    pub net_ore: i64,
    /// Distinct cases with standing (unreversed) entries in the period.
    pub cases: i64,
    pub previous_year: YearEarlier,
    /// The breakdown (`group_by`): groups with anything this period or a year earlier.
    pub groups: Vec<GroupPointView>,
}

/// A group of the breakdown, for the legend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupInfo {
    /// A category code, an incident kind, or a unit id.
    pub key: String,
    pub label: String,
    /// For categories: cost or recovery.
    pub direction: Option<Direction>,
    /// For units: the asked unit's own cases (not its children's).
    pub own: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RangeTotal {
    pub cost_ore: i64,
    pub recovery_ore: i64,
    pub net_ore: i64,
    pub previous_year: TotalsView,
    pub change_ore: i64,
    pub change_basis_points: Option<i64>,
}

/// A cost trend: every period of the range, with a year earlier beside it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendView {
    pub period: PeriodKind,
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    pub basis: BasisFilter,
    pub basis_label: String,
    pub group_by: GroupBy,
    #[schema(example = "SEK")]
    pub currency: String,
    /// The unit asked about (with `group_by=unit`, the one drilled into); `null`: all the
    /// caller may see.
    pub unit: Option<UnitView>,
    /// The unit above it, for a breadcrumb (when the caller may see it).
    pub parent: Option<UnitView>,
    pub groups: Vec<GroupInfo>,
    pub points: Vec<PointView>,
    /// The whole range (cases are not summed: one case may span periods).
    pub total: RangeTotal,
}

const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(n: u32, lang: Lang) -> &'static str {
    let i = (n.clamp(1, 12) - 1) as usize;
    match lang {
        Lang::Sv => MONTHS_SV[i],
        Lang::En => MONTHS_EN[i],
    }
}

pub fn period_label(kind: PeriodKind, b: &Bucket, lang: Lang) -> String {
    let year = b.key / 100;
    match kind {
        PeriodKind::Month => format!("{} {year}", month_name(b.first.number(), lang)),
        PeriodKind::Quarter => match lang {
            Lang::Sv => format!("kvartal {} {year}", b.key % 100),
            Lang::En => format!("Q{} {year}", b.key % 100),
        },
        PeriodKind::Year if b.last.number() == 12 => format!("{year}"),
        PeriodKind::Year => {
            let short = |n| month_name(n, lang).chars().take(3).collect::<String>();
            format!("{year} ({}–{})", short(1), short(b.last.number()))
        }
    }
}

fn figures(f: &Figures) -> (i64, i64, i64, i64) {
    (
        f.totals.cost.ore(),
        f.totals.recovery.ore(),
        f.totals.net().ore(),
        f.cases,
    )
}

pub fn trend_view(a: TrendAnswer, categories: &CostCategories, lang: Lang) -> TrendView {
    let Trend {
        query,
        points,
        groups,
        total,
        previous_total,
    } = a.trend;
    let kind = query.range.kind;
    let groups = groups
        .into_iter()
        .map(|key| {
            group_info(
                key,
                query.group_by,
                &a.unit_names,
                a.own.as_deref(),
                categories,
                lang,
            )
        })
        .collect();
    let points = points
        .into_iter()
        .map(|p| {
            let earlier = Bucket {
                key: p.bucket.key - 100,
                first: p.bucket.first.year_earlier(),
                last: p.bucket.last.year_earlier(),
                ..p.bucket
            };
            let (cost_ore, recovery_ore, net_ore, cases) = figures(&p.current);
            PointView {
                period: p.bucket.label(kind),
                label: period_label(kind, &p.bucket, lang),
                start: p.bucket.first.first_day().to_string(),
                end: p.bucket.last.last_day().to_string(),
                year_to_date: kind == PeriodKind::Year && p.bucket.last.number() != 12,
                cost_ore,
                recovery_ore,
                net_ore,
                cases,
                previous_year: year_earlier(earlier.label(kind), &p.current, &p.previous),
                groups: p
                    .groups
                    .iter()
                    .map(|g| {
                        let (cost_ore, recovery_ore, net_ore, cases) = figures(&g.current);
                        GroupPointView {
                            key: g.key.clone(),
                            cost_ore,
                            recovery_ore,
                            net_ore,
                            cases,
                            previous_year: year_earlier(
                                earlier.label(kind),
                                &g.current,
                                &g.previous,
                            ),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let change = cost_trend::change(total.net(), previous_total.net());
    TrendView {
        period: kind,
        from: query.range.from.to_string(),
        to: query.range.to.to_string(),
        basis: query.basis,
        basis_label: query.basis.label(lang).to_owned(),
        group_by: query.group_by,
        currency: SEK.into(),
        unit: a.unit.map(UnitView::from),
        parent: a.parent.map(UnitView::from),
        groups,
        points,
        total: RangeTotal {
            cost_ore: total.cost.ore(),
            recovery_ore: total.recovery.ore(),
            net_ore: total.net().ore(),
            previous_year: previous_total.into(),
            change_ore: change.ore.ore(),
            change_basis_points: change.basis_points,
        },
    }
}

fn group_info(
    key: String,
    group_by: GroupBy,
    unit_names: &BTreeMap<String, String>,
    own: Option<&str>,
    categories: &CostCategories,
    lang: Lang,
) -> GroupInfo {
    let (label, direction, is_own) = match group_by {
        GroupBy::Category => (
            categories.label(&key, lang),
            categories.find(&key).map(|c| c.direction),
            false,
        ),
        GroupBy::Kind => (
            key.parse::<IncidentKind>()
                .map(|k| k.label(lang).to_owned())
                .unwrap_or_else(|()| key.clone()),
            None,
            false,
        ),
        _ => {
            let name = unit_names.get(&key).cloned().unwrap_or_else(|| key.clone());
            if own == Some(key.as_str()) {
                let suffix = lang.t(Msg::CostOwnCases);
                (format!("{name} ({suffix})"), None, true)
            } else {
                (name, None, false)
            }
        }
    };
    GroupInfo {
        key,
        label,
        direction,
        own: is_own,
    }
}

/// A case in the list of cases with costs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostCaseItem {
    pub case: CaseCostView,
    pub cost_ore: i64,
    pub recovery_ore: i64,
    pub net_ore: i64,
    pub claim_state: ClaimState,
    pub claim_state_label: String,
}

pub fn case_item(i: CaseItem, lang: Lang) -> CostCaseItem {
    let t = TotalsView::from(i.totals);
    CostCaseItem {
        case: case_view(i.view, lang),
        cost_ore: t.cost_ore,
        recovery_ore: t.recovery_ore,
        net_ore: t.net_ore,
        claim_state: i.claim_state,
        claim_state_label: i.claim_state.label(lang).to_owned(),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostCaseList {
    #[schema(example = "SEK")]
    pub currency: String,
    pub items: Vec<CostCaseItem>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A claim in the claims list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimItemView {
    pub case: CaseCostView,
    pub claim: ClaimView,
    /// Actual recoveries booked on the case so far, in öre.
    pub recovered_ore: i64,
    /// Expected recovery minus what has come in (`null` without an expected recovery).
    pub outstanding_ore: Option<i64>,
}

pub fn claim_item(i: ClaimItem, lang: Lang) -> ClaimItemView {
    let claim = claim_view(Some(&i.claim), lang);
    ClaimItemView {
        outstanding_ore: claim.expected_recovery_ore.map(|e| e - i.recovered.ore()),
        recovered_ore: i.recovered.ore(),
        case: case_view(i.view, lang),
        claim,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimList {
    #[schema(example = "SEK")]
    pub currency: String,
    pub items: Vec<ClaimItemView>,
    pub next_cursor: Option<String>,
}

/// A value and its words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Labelled {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub direction: Direction,
    /// In the caller's language.
    pub label: String,
    pub label_sv: String,
    pub label_en: String,
}

/// The words of the cost API: configured categories, bases, claim states, entry origins.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostVocabulary {
    pub categories: Vec<CategoryView>,
    pub bases: Vec<Labelled>,
    pub basis_filters: Vec<Labelled>,
    pub claim_states: Vec<Labelled>,
    pub origins: Vec<Labelled>,
    pub directions: Vec<Labelled>,
}

pub fn vocabulary(categories: &CostCategories, lang: Lang) -> CostVocabulary {
    fn labelled<T: Copy + std::fmt::Display>(
        all: &[T],
        label: impl Fn(T) -> &'static str,
    ) -> Vec<Labelled> {
        all.iter()
            .map(|v| Labelled {
                value: v.to_string(),
                label: label(*v).to_owned(),
            })
            .collect()
    }
    CostVocabulary {
        categories: categories
            .all()
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                direction: c.direction,
                label: c.label(lang).to_owned(),
                label_sv: c.label_sv.clone(),
                label_en: c.label_en.clone(),
            })
            .collect(),
        bases: labelled(Basis::ALL, |b| b.label(lang)),
        basis_filters: labelled(BasisFilter::ALL, |b| b.label(lang)),
        claim_states: labelled(ClaimState::ALL, |s| s.label(lang)),
        origins: labelled(Origin::ALL, |o| o.label(lang)),
        directions: labelled(Direction::ALL, |d| d.label(lang)),
    }
}
