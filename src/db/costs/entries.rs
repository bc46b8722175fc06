//! Cost entries (insert and read, never update or delete — triggers refuse it too), the
//! case lock that orders writers of one case, moves, and insurance claims.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::super::schema::{cost_entries, incidents, insurance_claims};
use super::super::{AnyConnection, DbError, DbResult};
use super::rollup;
use crate::domain::cost::{self, ClaimState, CostEntry, Origin, Stamp};
use crate::domain::cost_period::Month;
use crate::domain::money::Ore;

#[derive(Debug, Clone, Queryable)]
struct EntryRow {
    id: String,
    incident_id: String,
    org_unit_id: String,
    category: String,
    direction: String,
    basis: String,
    amount_ore: i64,
    incurred_on: String,
    voucher_ref: Option<String>,
    note: Option<String>,
    origin: String,
    reverses_id: Option<String>,
    reason: Option<String>,
    entered_by: String,
    entered_at: NaiveDateTime,
}

macro_rules! entry_columns {
    () => {
        (
            cost_entries::id,
            cost_entries::incident_id,
            cost_entries::org_unit_id,
            cost_entries::category,
            cost_entries::direction,
            cost_entries::basis,
            cost_entries::amount_ore,
            cost_entries::incurred_on,
            cost_entries::voucher_ref,
            cost_entries::note,
            cost_entries::origin,
            cost_entries::reverses_id,
            cost_entries::reason,
            cost_entries::entered_by,
            cost_entries::entered_at,
        )
    };
}

fn corrupt(what: &str, value: &str) -> DbError {
    DbError::Task(format!("stored cost entry has {what} {value:?}"))
}

impl TryFrom<EntryRow> for CostEntry {
    type Error = DbError;
    fn try_from(r: EntryRow) -> Result<CostEntry, DbError> {
        Ok(CostEntry {
            direction: r
                .direction
                .parse()
                .map_err(|()| corrupt("direction", &r.direction))?,
            basis: r.basis.parse().map_err(|()| corrupt("basis", &r.basis))?,
            origin: r
                .origin
                .parse()
                .map_err(|()| corrupt("origin", &r.origin))?,
            incurred_on: NaiveDate::parse_from_str(&r.incurred_on, "%Y-%m-%d")
                .map_err(|_| corrupt("incurred_on", &r.incurred_on))?,
            amount: Ore(r.amount_ore),
            id: r.id,
            incident_id: r.incident_id,
            org_unit_id: r.org_unit_id,
            category: r.category,
            voucher_ref: r.voucher_ref,
            note: r.note,
            reverses_id: r.reverses_id,
            reason: r.reason,
            entered_by: r.entered_by,
            entered_at: r.entered_at,
        })
    }
}

/// A case's entries, in the order they were written.
pub fn for_case(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Vec<CostEntry>> {
    let rows: Vec<EntryRow> = cost_entries::table
        .filter(cost_entries::incident_id.eq(incident_id))
        .order((cost_entries::entered_at.asc(), cost_entries::id.asc()))
        .select(entry_columns!())
        .load(conn)?;
    rows.into_iter().map(CostEntry::try_from).collect()
}

/// The case, locked for this transaction, with what its entries need to know.
#[derive(Debug, Clone)]
pub struct LockedCase {
    pub id: String,
    pub org_unit_id: String,
    pub kind: String,
}

/// Takes the case's row lock (PostgreSQL; SQLite writers take turns anyway), so entries,
/// reversals and moves of one case happen one after another: a move then always sees every
/// entry to re-book, and two reversals of one entry meet in order. `None`: no such case.
pub fn lock_case(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Option<LockedCase>> {
    let row: Option<(String, String)> = diesel::update(incidents::table.find(incident_id))
        .set(incidents::version.eq(incidents::version))
        .returning((incidents::org_unit_id, incidents::kind))
        .get_result(conn)
        .optional()?;
    Ok(row.map(|(org_unit_id, kind)| LockedCase {
        id: incident_id.to_owned(),
        org_unit_id,
        kind,
    }))
}

fn insert_one(conn: &mut AnyConnection, e: &CostEntry) -> DbResult<()> {
    diesel::insert_into(cost_entries::table)
        .values((
            cost_entries::id.eq(&e.id),
            cost_entries::incident_id.eq(&e.incident_id),
            cost_entries::org_unit_id.eq(&e.org_unit_id),
            cost_entries::category.eq(&e.category),
            cost_entries::direction.eq(e.direction.as_str()),
            cost_entries::basis.eq(e.basis.as_str()),
            cost_entries::amount_ore.eq(e.amount.ore()),
            cost_entries::sign.eq(e.sign()),
            cost_entries::incurred_on.eq(e.incurred_on.format("%Y-%m-%d").to_string()),
            cost_entries::month.eq(Month::of(e.incurred_on).key()),
            cost_entries::voucher_ref.eq(&e.voucher_ref),
            cost_entries::note.eq(&e.note),
            cost_entries::origin.eq(e.origin.as_str()),
            cost_entries::reverses_id.eq(&e.reverses_id),
            cost_entries::reason.eq(&e.reason),
            cost_entries::entered_by.eq(&e.entered_by),
            cost_entries::entered_at.eq(e.entered_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes `new` entries on a locked case whose entries so far are `before`, and the rollups
/// with them. A second reversal of one entry fails here on the unique index.
pub fn write(
    conn: &mut AnyConnection,
    case: &LockedCase,
    before: &[CostEntry],
    new: &[CostEntry],
) -> DbResult<()> {
    for e in new {
        insert_one(conn, e)?;
    }
    rollup::apply(conn, &rollup::changes(&case.kind, before, new))
}

/// Costs follow their case: in the move's transaction (after the case row has its new unit),
/// every standing entry not on `to_unit` is reversed on its unit and booked again on
/// `to_unit`, with the same date, category, basis and amount. Answers how many were moved.
pub fn rebook_for_move(
    conn: &mut AnyConnection,
    incident_id: &str,
    to_unit: &str,
    by: &str,
    at: NaiveDateTime,
) -> DbResult<usize> {
    let Some(case) = lock_case(conn, incident_id)? else {
        return Ok(0);
    };
    let before = for_case(conn, incident_id)?;
    let mut new = Vec::new();
    for e in cost::standing(&before) {
        if e.org_unit_id == to_unit {
            continue;
        }
        let stamp = |id: uuid::Uuid| Stamp {
            id: id.to_string(),
            by: by.to_owned(),
            at,
        };
        new.push(cost::reversal_of(
            e,
            Origin::MoveOut,
            None,
            stamp(uuid::Uuid::now_v7()),
        ));
        new.push(cost::rebooked(e, to_unit, stamp(uuid::Uuid::now_v7())));
    }
    let moved = new.len() / 2;
    if moved > 0 {
        write(conn, &case, &before, &new)?;
    }
    Ok(moved)
}

// ---------- insurance claims ----------

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ClaimRow {
    pub insurer: Option<String>,
    pub claim_number: Option<String>,
    pub deductible_ore: Option<i64>,
    pub expected_recovery_ore: Option<i64>,
    pub state: ClaimState,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// A claim as it should be stored.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub insurer: Option<String>,
    pub claim_number: Option<String>,
    pub deductible: Option<Ore>,
    pub expected_recovery: Option<Ore>,
    pub state: ClaimState,
}

/// A stored claim with its state parsed.
#[derive(Debug, Clone)]
pub struct Claim {
    pub row: ClaimRow,
    pub state: ClaimState,
}

pub fn claim(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Option<Claim>> {
    let row: Option<ClaimRow> = insurance_claims::table
        .find(incident_id)
        .select((
            insurance_claims::insurer,
            insurance_claims::claim_number,
            insurance_claims::deductible_ore,
            insurance_claims::expected_recovery_ore,
            insurance_claims::state,
            insurance_claims::version,
            insurance_claims::updated_by,
            insurance_claims::updated_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|row| Claim {
        state: row.state,
        row,
    }))
}

/// Stores the claim if its version is still `version` (0: there is none yet). False: stale.
pub fn put_claim(
    conn: &mut AnyConnection,
    incident_id: &str,
    version: i64,
    claim: &NewClaim,
    by: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let values = (
        insurance_claims::insurer.eq(&claim.insurer),
        insurance_claims::claim_number.eq(&claim.claim_number),
        insurance_claims::deductible_ore.eq(claim.deductible.map(Ore::ore)),
        insurance_claims::expected_recovery_ore.eq(claim.expected_recovery.map(Ore::ore)),
        insurance_claims::state.eq(claim.state.as_str()),
        insurance_claims::version.eq(version + 1),
        insurance_claims::updated_by.eq(by),
        insurance_claims::updated_at.eq(now),
    );
    if version == 0 {
        // A concurrent first claim fails on the primary key: the caller answers 412.
        diesel::insert_into(insurance_claims::table)
            .values((insurance_claims::incident_id.eq(incident_id), values))
            .execute(conn)?;
        return Ok(true);
    }
    let n = diesel::update(
        insurance_claims::table
            .filter(insurance_claims::incident_id.eq(incident_id))
            .filter(insurance_claims::version.eq(version)),
    )
    .set(values)
    .execute(conn)?;
    Ok(n == 1)
}
