//! Demo damage costs: three years of handled cases with costs, so the finance desk shows real
//! trends on first start — a water damage in a school with its insurance paid out, vandalism,
//! sick pay and substitutes after a fall, a damaged home-care car with a recovery, a leaking
//! sports-hall roof whose claim is still pending, a corrected entry, and a steady stream of
//! smaller events. Deterministic: the same amounts every start (dates follow today).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::db::costs::entries::{self, NewClaim};
use crate::db::{demo_costs, incidents, AnyConnection, Db, DbError};
use crate::domain::cost::{self, Basis, ClaimState, CostCategories, CostEntry, Origin, Stamp};
use crate::domain::money::Ore;
use crate::domain::{
    CleanText, Consequence, IncidentKind, IncidentStatus, NewIncident, TrackingCode,
};

const FINANCE: &str = "lars.nystrom@example.se";

/// One demo case: where, what, how many days ago, and its entries.
struct Case {
    unit: &'static str,
    kind: IncidentKind,
    title: &'static str,
    description: &'static str,
    days_ago: i64,
    /// (category, basis, kronor, days after the event)
    entries: Vec<(&'static str, Basis, i64, i64)>,
    claim: Option<(ClaimState, &'static str, i64, i64)>,
    /// Reverse the entry with this index (a mistyped amount) and enter it again corrected.
    correct: Option<(usize, i64)>,
}

fn highlights() -> Vec<Case> {
    use Basis::*;
    vec![
        Case {
            unit: "UTB-GR-LYC",
            kind: IncidentKind::PropertyDamage,
            title: "Vattenskada i skolans kök",
            description: "En vattenledning i köket brast under natten och vatten rann ut i matsal och korridor.",
            days_ago: 700,
            entries: vec![
                ("egendom", Estimate, 150_000, 2),
                ("egendom", Actual, 184_500, 45),
                ("produktionsbortfall", Actual, 22_000, 20),
                ("sjalvrisk", Actual, 25_000, 60),
                ("forsakring", Actual, 159_500, 95),
            ],
            claim: Some((ClaimState::Paid, "Kommunassurans Syd", 25_000, 159_500)),
            correct: None,
        },
        Case {
            unit: "UTB-GR-TRO",
            kind: IncidentKind::PropertyDamage,
            title: "Krossade fönster efter skadegörelse",
            description: "Sex fönster på gymnastiksalen krossades under helgen. Polisanmälan gjord.",
            days_ago: 420,
            entries: vec![("egendom", Actual, 42_300, 9), ("utredning", Actual, 2_400, 3)],
            claim: None,
            correct: Some((0, 24_300)),
        },
        Case {
            unit: "AEO-SB-VAM",
            kind: IncidentKind::Accident,
            title: "Fall i trappan vid personalingången",
            description: "En undersköterska halkade i trappan och bröt handleden. Sjukskriven i sex veckor.",
            days_ago: 300,
            entries: vec![
                ("sjuklon", Actual, 18_400, 30),
                ("vikarie", Actual, 12_600, 30),
                ("vard", Actual, 3_200, 40),
                ("utredning", Actual, 4_800, 10),
            ],
            claim: None,
            correct: None,
        },
        Case {
            unit: "AEO-HT-CEN",
            kind: IncidentKind::PropertyDamage,
            title: "Hemtjänstbil påkörd på parkering",
            description: "Bilen blev påbackad på parkeringen vid Amiralitetstorget. Motparten okänd.",
            days_ago: 160,
            entries: vec![
                ("egendom", Estimate, 36_800, 1),
                ("egendom", Actual, 39_250, 35),
                ("sjalvrisk", Actual, 5_000, 35),
                ("forsakring", Actual, 34_250, 70),
            ],
            claim: Some((ClaimState::Paid, "Kommunassurans Syd", 5_000, 34_250)),
            correct: None,
        },
        Case {
            unit: "KOF-IDR-ROS",
            kind: IncidentKind::PropertyDamage,
            title: "Läckande tak över sporthallens golv",
            description: "Regnvatten läckte in genom taket och skadade parkettgolvet i stora hallen.",
            days_ago: 50,
            entries: vec![("egendom", Estimate, 96_000, 5), ("produktionsbortfall", Actual, 8_500, 20)],
            claim: Some((ClaimState::Filed, "Kommunassurans Syd", 25_000, 71_000)),
            correct: None,
        },
        Case {
            unit: "HAMN-TER",
            kind: IncidentKind::PropertyDamage,
            title: "Truck körde in i lagerport",
            description: "En truck backade in i lagerporten vid terminalen. Porten gick inte att stänga.",
            days_ago: 80,
            entries: vec![("egendom", Actual, 58_000, 14), ("produktionsbortfall", Actual, 22_000, 7)],
            claim: Some((ClaimState::Approved, "Länsförsäkringar Blekinge", 10_000, 48_000)),
            correct: None,
        },
        Case {
            unit: "TEK-GAT",
            kind: IncidentKind::PropertyDamage,
            title: "Grävmaskin skadade privat staket",
            description: "Vid ledningsarbete på Ronnebygatan skadades en fastighetsägares staket.",
            days_ago: 230,
            entries: vec![("skadestand", Actual, 14_500, 40)],
            claim: None,
            correct: None,
        },
    ]
}

/// A small deterministic generator (the same demo every start).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// (unit, kind, title, description, [(category, typical kronor)])
type Recurring = (
    &'static str,
    IncidentKind,
    &'static str,
    &'static str,
    &'static [(&'static str, i64)],
);

/// Recurring smaller events over three years.
fn stream() -> Vec<Case> {
    use Basis::*;
    let kinds: [Recurring; 6] = [
        (
            "UTB-GR-NAT",
            IncidentKind::PropertyDamage,
            "Klotter på skolans fasad",
            "Fasaden mot skolgården var nedklottrad på morgonen.",
            &[("egendom", 8_000)],
        ),
        (
            "UTB-GY-CHA",
            IncidentKind::PropertyDamage,
            "Stulen projektor",
            "En projektor saknades i klassrummet efter helgen.",
            &[("egendom", 12_000)],
        ),
        (
            "AEO-SB-LYC",
            IncidentKind::Accident,
            "Lyftskada vid förflyttning",
            "En medarbetare fick ont i ryggen vid förflyttning av en boende.",
            &[("sjuklon", 9_000), ("vikarie", 7_000)],
        ),
        (
            "SOC-IFO-BU",
            IncidentKind::ThreatViolence,
            "Hot vid hembesök",
            "En förälder hotade handläggaren under ett hembesök.",
            &[("utredning", 3_000), ("vard", 2_500)],
        ),
        (
            "KHEM-CEN",
            IncidentKind::PropertyDamage,
            "Vattenläcka i trapphus",
            "Läcka från ett element i trapphuset skadade golv och väggar.",
            &[("egendom", 18_000)],
        ),
        (
            "AFAB-REN",
            IncidentKind::Accident,
            "Klämskada vid tömning",
            "En chaufför klämde handen vid tömning av en container.",
            &[("sjuklon", 6_000), ("vard", 1_800)],
        ),
    ];
    let mut rng = Lcg(20_261_201);
    let mut out = Vec::new();
    let mut days_ago = 1_090;
    while days_ago > 10 {
        let (unit, kind, title, description, costs) = kinds[rng.next(kinds.len() as u64) as usize];
        let entries = costs
            .iter()
            .map(|(cat, kr)| {
                (
                    *cat,
                    Actual,
                    kr / 2 + rng.next(*kr as u64) as i64,
                    5 + rng.next(40) as i64,
                )
            })
            .collect();
        out.push(Case {
            unit,
            kind,
            title,
            description,
            days_ago,
            entries,
            claim: None,
            correct: None,
        });
        days_ago -= 18 + rng.next(20) as i64;
    }
    out
}

fn text(s: &str) -> Result<CleanText, DbError> {
    CleanText::parse(s, true).map_err(|e| DbError::Task(e.into()))
}

fn seed_case(
    conn: &mut AnyConnection,
    units: &std::collections::BTreeMap<String, String>,
    categories: &CostCategories,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let unit = units
        .get(case.unit)
        .ok_or_else(|| DbError::Task(format!("no demo unit {}", case.unit)))?;
    let at = now - Duration::days(case.days_ago);
    let id = Uuid::now_v7();
    let consequences = match case.kind {
        IncidentKind::Accident | IncidentKind::ThreatViolence => [Consequence::Person].into(),
        _ => [Consequence::Economic].into(),
    };
    let incident = NewIncident {
        kind: case.kind,
        org_unit_id: Uuid::parse_str(unit).map_err(|e| DbError::Task(e.to_string()))?,
        occurred_at: at,
        title: text(case.title)?,
        description: text(case.description)?,
        location: None,
        coordinates: None,
        consequences,
        immediate_action: None,
        reporter: None,
    };
    incidents::insert_new(
        conn,
        &id,
        &TrackingCode::generate(),
        &incident,
        at.naive_utc(),
    )?;
    let id = id.to_string();
    let locked =
        entries::lock_case(conn, &id)?.ok_or_else(|| DbError::Task("demo case vanished".into()))?;
    let mut written: Vec<CostEntry> = Vec::new();
    let write = |conn: &mut AnyConnection,
                 written: &mut Vec<CostEntry>,
                 new: CostEntry|
     -> Result<(), DbError> {
        entries::write(conn, &locked, written, std::slice::from_ref(&new))?;
        written.push(new);
        Ok(())
    };
    for (category, basis, kronor, after) in &case.entries {
        let when = at + Duration::days(*after).min(Duration::days(case.days_ago));
        let direction = categories
            .find(category)
            .map(|c| c.direction)
            .ok_or_else(|| DbError::Task(format!("no demo category {category}")))?;
        write(
            conn,
            &mut written,
            CostEntry {
                id: Uuid::now_v7().to_string(),
                incident_id: id.clone(),
                org_unit_id: unit.clone(),
                category: (*category).to_owned(),
                direction,
                basis: *basis,
                amount: Ore(kronor * 100),
                incurred_on: crate::domain::calendar::stockholm_date(when),
                voucher_ref: (*basis == Basis::Actual)
                    .then(|| format!("V{}", 24_000 + kronor % 9_973)),
                note: None,
                origin: Origin::Entry,
                reverses_id: None,
                reason: None,
                entered_by: FINANCE.to_owned(),
                entered_at: when.naive_utc(),
            },
        )?;
    }
    if let Some((index, kronor)) = case.correct {
        let wrong = written
            .get(index)
            .cloned()
            .ok_or_else(|| DbError::Task("demo correction".into()))?;
        let at = wrong.entered_at + Duration::days(2);
        let stamp = |id: Uuid| Stamp {
            id: id.to_string(),
            by: FINANCE.to_owned(),
            at,
        };
        let reason = "Fel belopp: fakturan gällde bara fyra fönster.";
        write(
            conn,
            &mut written,
            cost::reversal_of(
                &wrong,
                Origin::Reversal,
                Some(reason),
                stamp(Uuid::now_v7()),
            ),
        )?;
        let mut right = wrong.clone();
        (right.id, right.amount, right.entered_at) =
            (Uuid::now_v7().to_string(), Ore(kronor * 100), at);
        write(conn, &mut written, right)?;
    }
    if let Some((state, insurer, deductible, expected)) = case.claim {
        let claim = NewClaim {
            insurer: Some(insurer.to_owned()),
            claim_number: Some(format!("SK-{}-{:04}", at.format("%Y"), case.days_ago)),
            deductible: Some(Ore(deductible * 100)),
            expected_recovery: Some(Ore(expected * 100)),
            state,
        };
        entries::put_claim(
            conn,
            &id,
            0,
            &claim,
            FINANCE,
            (at + Duration::days(3)).naive_utc(),
        )?;
    }
    // Recent cases are still being investigated; older ones were handled and closed.
    let (status, handled) = if case.days_ago > 120 {
        (IncidentStatus::Closed, at + Duration::days(100))
    } else {
        (IncidentStatus::Investigating, at + Duration::days(1))
    };
    demo_costs::mark_handled(conn, &id, status, handled.naive_utc())?;
    Ok(())
}

/// Seeds the demo costs, in one transaction (one commit).
pub fn seed(db: &Db) -> anyhow::Result<()> {
    let categories = CostCategories::defaults();
    let now = Utc::now();
    db.write_blocking(|conn| {
        let units = demo_costs::unit_ids(conn)?;
        for case in highlights().iter().chain(stream().iter()) {
            seed_case(conn, &units, &categories, case, now)?;
        }
        Ok(())
    })?;
    Ok(())
}
