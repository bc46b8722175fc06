//! Damage costs and recoveries on a case: categories with a direction, the basis (actual or
//! estimate), insurance claim states, and the rule that keeps the history of money intact:
//! entries are never changed, a correction reverses an earlier entry, once.

use chrono::{NaiveDate, NaiveDateTime};

use super::money::Ore;
use crate::i18n::Lang;

string_enum! {
    /// Whether a category adds to the damage or brings money back.
    pub enum Direction {
        /// Skadekostnad.
        Cost => "cost",
        /// Återvunnet: försäkringsersättning, regress.
        Recovery => "recovery",
    }
}

impl Direction {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Direction::Cost => lang.pick("Kostnad", "Cost"),
            Direction::Recovery => lang.pick("Återvunnet", "Recovery"),
        }
    }
}

string_enum! {
    /// Whether an amount is booked (verified against a voucher) or expected.
    pub enum Basis {
        /// Utfall.
        Actual => "actual",
        /// Uppskattning.
        Estimate => "estimate",
    }
}

impl Basis {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Basis::Actual => lang.pick("Utfall", "Actual"),
            Basis::Estimate => lang.pick("Uppskattning", "Estimate"),
        }
    }
}

string_enum! {
    /// Which amounts a question counts.
    pub enum BasisFilter {
        Actual => "actual",
        Estimate => "estimate",
        /// Actual and estimated amounts together.
        Both => "both",
    }
}

impl BasisFilter {
    pub fn includes(self, basis: Basis) -> bool {
        match self {
            BasisFilter::Both => true,
            BasisFilter::Actual => basis == Basis::Actual,
            BasisFilter::Estimate => basis == Basis::Estimate,
        }
    }

    /// The stored bases this filter counts.
    pub fn bases(self) -> &'static [Basis] {
        match self {
            BasisFilter::Both => &[Basis::Actual, Basis::Estimate],
            BasisFilter::Actual => &[Basis::Actual],
            BasisFilter::Estimate => &[Basis::Estimate],
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            BasisFilter::Actual => Basis::Actual.label(lang),
            BasisFilter::Estimate => Basis::Estimate.label(lang),
            BasisFilter::Both => lang.pick("Utfall och uppskattning", "Actual and estimate"),
        }
    }
}

string_enum! {
    /// Where an insurance claim stands.
    pub enum ClaimState {
        None => "none",
        Filed => "filed",
        Approved => "approved",
        Paid => "paid",
        Denied => "denied",
    }
}

impl ClaimState {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ClaimState::None => lang.pick("Ingen skadeanmälan", "No claim"),
            ClaimState::Filed => lang.pick("Anmäld", "Filed"),
            ClaimState::Approved => lang.pick("Godkänd", "Approved"),
            ClaimState::Paid => lang.pick("Utbetald", "Paid"),
            ClaimState::Denied => lang.pick("Avslagen", "Denied"),
        }
    }

    /// A recovery still to come: filed or approved, not yet paid or denied.
    pub fn is_pending(self) -> bool {
        matches!(self, ClaimState::Filed | ClaimState::Approved)
    }
}

string_enum! {
    /// Why an entry exists.
    pub enum Origin {
        /// Entered by a person.
        Entry => "entry",
        /// Reverses an earlier entry (a correction), with a reason.
        Reversal => "reversal",
        /// Reverses an entry because its case moved to another unit.
        MoveOut => "move_out",
        /// Books a moved case's entry again on its new unit.
        MoveIn => "move_in",
    }
}

impl Origin {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Origin::Entry => lang.pick("Post", "Entry"),
            Origin::Reversal => lang.pick("Rättelse", "Reversal"),
            Origin::MoveOut => lang.pick("Flyttad från enheten", "Moved out of the unit"),
            Origin::MoveIn => lang.pick("Flyttad till enheten", "Moved into the unit"),
        }
    }

    /// Whether entries of this origin take an amount away (their sign is −1).
    pub fn is_reversal(self) -> bool {
        matches!(self, Origin::Reversal | Origin::MoveOut)
    }
}

/// A configured cost category: a stable code, its direction and its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCategory {
    pub code: String,
    pub direction: Direction,
    pub label_sv: String,
    pub label_en: String,
}

impl CostCategory {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.label_sv,
            Lang::En => &self.label_en,
        }
    }
}

/// The default categories, in the settings format `code:direction:svenska:English;…`.
pub const DEFAULT_CATEGORIES: &str =
    "egendom:cost:Reparation och ersättning av egendom:Repair or replacement of property;\
sjuklon:cost:Sjuklön:Sick pay;\
vikarie:cost:Vikarie och övertid:Substitutes and overtime;\
produktionsbortfall:cost:Produktionsbortfall:Lost production;\
vard:cost:Vård och rehabilitering:Care and rehabilitation;\
utredning:cost:Utredningstid:Investigation time;\
sjalvrisk:cost:Självrisk:Insurance deductible;\
skadestand:cost:Skadestånd till tredje man:Damages to third parties;\
ovrigt:cost:Övrigt:Other;\
forsakring:recovery:Försäkringsersättning:Insurance payment;\
regress:recovery:Regress från tredje man:Recourse from third parties";

/// The configured categories, in their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCategories(Vec<CostCategory>);

impl CostCategories {
    /// Parses `code:direction:svenska:English` items separated by `;`. Codes are lower-case
    /// ASCII letters, digits and `_` (they are stored with every entry, so they never change
    /// meaning); each code once.
    pub fn parse(text: &str) -> Result<CostCategories, String> {
        let mut list: Vec<CostCategory> = Vec::new();
        for item in text.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let parts: Vec<&str> = item.splitn(4, ':').map(str::trim).collect();
            let [code, direction, sv, en] = parts[..] else {
                return Err(format!("'{item}' is not code:direction:svenska:English"));
            };
            let valid_code = !code.is_empty()
                && code.len() <= 40
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid_code {
                return Err(format!(
                    "'{code}' is not a code (a–z, 0–9 and _, at most 40)"
                ));
            }
            let direction: Direction = direction
                .parse()
                .map_err(|()| format!("'{direction}' is neither cost nor recovery"))?;
            if sv.is_empty() || en.is_empty() {
                return Err(format!("'{code}' needs a Swedish and an English name"));
            }
            if list.iter().any(|c| c.code == code) {
                return Err(format!("'{code}' is named twice"));
            }
            list.push(CostCategory {
                code: code.to_owned(),
                direction,
                label_sv: sv.to_owned(),
                label_en: en.to_owned(),
            });
        }
        if !list.iter().any(|c| c.direction == Direction::Cost) {
            return Err("name at least one cost category".into());
        }
        Ok(CostCategories(list))
    }

    pub fn defaults() -> CostCategories {
        // The constant above is checked by a test; a failure here is a programming error.
        CostCategories::parse(DEFAULT_CATEGORIES).unwrap_or_else(|_| CostCategories(Vec::new()))
    }

    pub fn all(&self) -> &[CostCategory] {
        &self.0
    }

    pub fn find(&self, code: &str) -> Option<&CostCategory> {
        self.0.iter().find(|c| c.code == code)
    }

    /// The name of a stored category; one removed from the settings since keeps its code.
    pub fn label(&self, code: &str, lang: Lang) -> String {
        self.find(code)
            .map(|c| c.label(lang).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }
}

/// One cost row as stored: never changed after it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostEntry {
    pub id: String,
    pub incident_id: String,
    /// The unit the amount counts for: the case's unit when the row was written.
    pub org_unit_id: String,
    pub category: String,
    pub direction: Direction,
    pub basis: Basis,
    /// Always positive; [`CostEntry::signed`] says which way it counts.
    pub amount: Ore,
    pub incurred_on: NaiveDate,
    pub voucher_ref: Option<String>,
    pub note: Option<String>,
    pub origin: Origin,
    /// The entry this one reverses (reversals and move-outs only).
    pub reverses_id: Option<String>,
    pub reason: Option<String>,
    /// The e-mail of whoever wrote it (for a move: whoever moved the case).
    pub entered_by: String,
    pub entered_at: NaiveDateTime,
}

impl CostEntry {
    /// The amount as it counts: negative for a reversal.
    pub fn signed(&self) -> Ore {
        if self.origin.is_reversal() {
            -self.amount
        } else {
            self.amount
        }
    }

    pub fn sign(&self) -> i32 {
        if self.origin.is_reversal() {
            -1
        } else {
            1
        }
    }
}

/// Why an entry cannot be reversed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReversalRefused {
    /// It is itself a reversal: enter the amount again instead.
    IsReversal,
    /// It was reversed before, by this entry.
    AlreadyReversed(String),
}

/// The rule: an entry that takes nothing away and that nothing has reversed may be reversed,
/// once. `reversed_by` is the entry that already reverses it, if any.
pub fn check_reversal(entry: &CostEntry, reversed_by: Option<&str>) -> Result<(), ReversalRefused> {
    if entry.origin.is_reversal() {
        return Err(ReversalRefused::IsReversal);
    }
    if let Some(by) = reversed_by {
        return Err(ReversalRefused::AlreadyReversed(by.to_owned()));
    }
    Ok(())
}

/// Who wrote a new entry, when, and with which id.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub id: String,
    pub by: String,
    pub at: NaiveDateTime,
}

/// The entry that reverses `entry`: the same unit, date, category, basis and amount, so the
/// two cancel in every total, in the period the original counted in.
pub fn reversal_of(
    entry: &CostEntry,
    origin: Origin,
    reason: Option<&str>,
    stamp: Stamp,
) -> CostEntry {
    CostEntry {
        id: stamp.id,
        origin,
        reverses_id: Some(entry.id.clone()),
        reason: reason.map(str::to_owned),
        voucher_ref: entry.voucher_ref.clone(),
        note: None,
        entered_by: stamp.by,
        entered_at: stamp.at,
        ..entry.clone()
    }
}

/// `entry` booked again on `unit` after its case moved there.
pub fn rebooked(entry: &CostEntry, unit: &str, stamp: Stamp) -> CostEntry {
    CostEntry {
        id: stamp.id,
        org_unit_id: unit.to_owned(),
        origin: Origin::MoveIn,
        reverses_id: None,
        reason: None,
        entered_by: stamp.by,
        entered_at: stamp.at,
        ..entry.clone()
    }
}

/// Costs, recoveries and what remains.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub cost: Ore,
    pub recovery: Ore,
}

impl Totals {
    pub fn net(&self) -> Ore {
        self.cost - self.recovery
    }

    pub fn add(&mut self, direction: Direction, amount: Ore) {
        match direction {
            Direction::Cost => self.cost += amount,
            Direction::Recovery => self.recovery += amount,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.cost == Ore::ZERO && self.recovery == Ore::ZERO
    }
}

/// A case's totals: booked, expected, and both together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseTotals {
    pub actual: Totals,
    pub estimate: Totals,
}

impl CaseTotals {
    pub fn of(entries: &[CostEntry]) -> CaseTotals {
        let mut t = CaseTotals::default();
        for e in entries {
            let part = match e.basis {
                Basis::Actual => &mut t.actual,
                Basis::Estimate => &mut t.estimate,
            };
            part.add(e.direction, e.signed());
        }
        t
    }

    pub fn all(&self) -> Totals {
        Totals {
            cost: self.actual.cost + self.estimate.cost,
            recovery: self.actual.recovery + self.estimate.recovery,
        }
    }
}

/// The entries that stand: not reversals, and not reversed. After any sequence of entries,
/// reversals and moves these are exactly what the totals add up to.
pub fn standing(entries: &[CostEntry]) -> Vec<&CostEntry> {
    let reversed: std::collections::BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.reverses_id.as_deref())
        .collect();
    entries
        .iter()
        .filter(|e| !e.origin.is_reversal() && !reversed.contains(e.id.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(origin: Origin, amount: i64) -> CostEntry {
        CostEntry {
            id: "e1".into(),
            incident_id: "c1".into(),
            org_unit_id: "u1".into(),
            category: "egendom".into(),
            direction: Direction::Cost,
            basis: Basis::Actual,
            amount: Ore(amount),
            incurred_on: NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(),
            voucher_ref: Some("V-1".into()),
            note: Some("Fönster".into()),
            origin,
            reverses_id: None,
            reason: None,
            entered_by: "a@example.se".into(),
            entered_at: NaiveDate::from_ymd_opt(2026, 3, 15)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        }
    }

    fn stamp(id: &str) -> Stamp {
        Stamp {
            id: id.into(),
            by: "b@example.se".into(),
            at: NaiveDate::from_ymd_opt(2026, 4, 1)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap(),
        }
    }

    #[test]
    fn the_default_categories_parse() {
        let cats = CostCategories::parse(DEFAULT_CATEGORIES).unwrap();
        assert_eq!(cats.all().len(), 11);
        assert_eq!(
            cats.find("forsakring").unwrap().direction,
            Direction::Recovery
        );
        assert_eq!(cats.find("sjuklon").unwrap().label(Lang::En), "Sick pay");
        assert_eq!(cats.label("borttagen", Lang::Sv), "borttagen");
        Direction::assert_wire_names();
        Basis::assert_wire_names();
        BasisFilter::assert_wire_names();
        ClaimState::assert_wire_names();
        Origin::assert_wire_names();
    }

    #[test]
    fn bad_category_settings_are_refused() {
        for bad in [
            "x:cost:Ett",
            "Stor:cost:Ett:One",
            "a:kostnad:Ett:One",
            "a:cost:Ett:One;a:cost:Två:Two",
            "a:recovery:Ett:One",
            "a:cost::One",
        ] {
            assert!(CostCategories::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_entry_is_reversed_once_and_a_reversal_never() {
        let e = entry(Origin::Entry, 1_000);
        assert_eq!(check_reversal(&e, None), Ok(()));
        assert_eq!(
            check_reversal(&e, Some("r1")),
            Err(ReversalRefused::AlreadyReversed("r1".into()))
        );
        let r = reversal_of(&e, Origin::Reversal, Some("Fel belopp"), stamp("r1"));
        assert_eq!(r.signed(), Ore(-1_000));
        assert_eq!(r.reverses_id.as_deref(), Some("e1"));
        assert_eq!(
            (r.incurred_on, r.org_unit_id.as_str()),
            (e.incurred_on, "u1")
        );
        assert_eq!(check_reversal(&r, None), Err(ReversalRefused::IsReversal));
        let moved_in = rebooked(&e, "u2", stamp("m1"));
        assert_eq!(check_reversal(&moved_in, None), Ok(()));
        assert_eq!(moved_in.signed(), Ore(1_000));
    }

    #[test]
    fn totals_add_reversals_and_directions() {
        let e = entry(Origin::Entry, 10_000);
        let r = reversal_of(&e, Origin::Reversal, Some("Fel"), stamp("r1"));
        let mut rec = entry(Origin::Entry, 2_500);
        rec.id = "e2".into();
        rec.direction = Direction::Recovery;
        let mut est = entry(Origin::Entry, 700);
        est.id = "e3".into();
        est.basis = Basis::Estimate;
        let all = [e, r, rec, est];
        let t = CaseTotals::of(&all);
        assert_eq!(t.actual.cost, Ore(0));
        assert_eq!(t.actual.recovery, Ore(2_500));
        assert_eq!(t.actual.net(), Ore(-2_500));
        assert_eq!(t.estimate.net(), Ore(700));
        assert_eq!(t.all().net(), Ore(-1_800));
        let ids: Vec<&str> = standing(&all).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["e2", "e3"]);
    }
}
