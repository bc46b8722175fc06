//! The org tree: units and their closure table.

use std::collections::BTreeMap;

use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{org_closure, org_units};
use super::{now_utc, AnyConnection, DbResult};
use crate::domain::org_tree::{self, TreeError, UnitSpec};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = org_units)]
pub struct OrgUnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: crate::domain::OrgUnitKind,
    pub parent_id: Option<String>,
    pub active: bool,
    pub manager_name: Option<String>,
    pub manager_email: Option<String>,
    pub deputy_name: Option<String>,
    pub deputy_email: Option<String>,
    pub safety_rep_email: Option<String>,
}

/// Active units ordered by name, for the report form's picker.
pub fn list_active(conn: &mut AnyConnection) -> DbResult<Vec<OrgUnitRow>> {
    Ok(org_units::table
        .filter(org_units::active.eq(true))
        .order((org_units::name.asc(), org_units::code.asc()))
        .select(OrgUnitRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: &Uuid) -> DbResult<Option<OrgUnitRow>> {
    Ok(org_units::table
        .find(id.to_string())
        .select(OrgUnitRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn is_active(conn: &mut AnyConnection, id: &Uuid) -> DbResult<bool> {
    let n: i64 = org_units::table
        .filter(org_units::id.eq(id.to_string()))
        .filter(org_units::active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The id of the unit with this code (the demo data names its units by code).
pub fn id_by_code(conn: &mut AnyConnection, code: &str) -> DbResult<Uuid> {
    let id: String = org_units::table
        .filter(org_units::code.eq(code))
        .select(org_units::id)
        .first(conn)?;
    Uuid::parse_str(&id).map_err(|e| super::DbError::Corrupt(format!("unit id {id:?}: {e}")))
}

pub fn count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(org_units::table.count().get_result(conn)?)
}

/// Ids of `ancestor` and every unit under it: one indexed lookup in the closure table.
pub fn subtree_ids(conn: &mut AnyConnection, ancestor: &Uuid) -> DbResult<Vec<String>> {
    Ok(org_closure::table
        .filter(org_closure::ancestor_id.eq(ancestor.to_string()))
        .select(org_closure::descendant_id)
        .load(conn)?)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "unit {child} names parent {parent}, which is neither in the file nor in the database"
    )]
    MissingParent { child: String, parent: String },
    #[error("unit {0} would be its own ancestor")]
    Cycle(String),
    #[error("no one would receive reports from unit(s) {0}: no manager or deputy from there up to the root, and no safety coordinators (TILLBUD_SAFETY_COORDINATORS) are configured")]
    Unreachable(String),
    #[error(transparent)]
    Db(#[from] super::DbError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Db(e.into())
    }
}

/// Creates or updates units by code, then rebuilds the closure. Call inside a transaction:
/// on any error nothing of the file is kept.
pub fn import(
    conn: &mut AnyConnection,
    specs: &[UnitSpec],
    have_coordinators: bool,
) -> Result<ImportSummary, ImportError> {
    let staffed: Vec<(String, bool)> = org_units::table
        .select((
            org_units::code,
            org_units::manager_email
                .is_not_null()
                .or(org_units::deputy_email.is_not_null()),
        ))
        .load(conn)?;
    let existing: Vec<(String, String, Option<String>)> = org_units::table
        .select((org_units::code, org_units::id, org_units::parent_id))
        .load(conn)?;
    let mut id_by_code: BTreeMap<String, String> = existing
        .iter()
        .map(|(c, id, _)| (c.clone(), id.clone()))
        .collect();
    let code_by_id: BTreeMap<String, String> = existing
        .iter()
        .map(|(c, id, _)| (id.clone(), c.clone()))
        .collect();

    // The tree as it will be: the database's links, overridden by the file's.
    let mut parents: BTreeMap<String, Option<String>> = existing
        .iter()
        .map(|(c, _, p)| {
            (
                c.clone(),
                p.as_ref().and_then(|p| code_by_id.get(p).cloned()),
            )
        })
        .collect();
    for spec in specs {
        parents.insert(
            spec.code.as_str().to_owned(),
            spec.parent_code.as_ref().map(|p| p.as_str().to_owned()),
        );
    }
    let pairs = org_tree::closure(&parents).map_err(|e| match e {
        TreeError::MissingParent { child, parent } => ImportError::MissingParent { child, parent },
        TreeError::Cycle(code) => ImportError::Cycle(code),
    })?;

    // Every unit must reach someone: the tree as it will be, staffing as it will be.
    let mut has_someone: BTreeMap<String, bool> = staffed.into_iter().collect();
    for spec in specs {
        has_someone.insert(
            spec.code.as_str().to_owned(),
            spec.manager_email.is_some() || spec.deputy_email.is_some(),
        );
    }
    let unreachable =
        crate::domain::routing::unreachable_units(&parents, &has_someone, have_coordinators);
    if !unreachable.is_empty() {
        return Err(ImportError::Unreachable(unreachable.join(", ")));
    }

    let now = now_utc();
    let mut summary = ImportSummary::default();
    for spec in specs {
        if !id_by_code.contains_key(spec.code.as_str()) {
            id_by_code.insert(spec.code.as_str().to_owned(), Uuid::now_v7().to_string());
        }
    }
    // Insert parents before children so the foreign key holds at every step.
    let mut ordered: Vec<&UnitSpec> = specs.iter().collect();
    let depth_of = |code: &str| {
        pairs
            .iter()
            .filter(|(_, d, _)| d == code)
            .map(|(_, _, depth)| *depth)
            .max()
            .unwrap_or(0)
    };
    ordered.sort_by_key(|s| depth_of(s.code.as_str()));
    let known: std::collections::BTreeSet<String> =
        existing.into_iter().map(|(c, _, _)| c).collect();

    for spec in ordered {
        let id = id_by_code[spec.code.as_str()].clone();
        let parent_id = spec
            .parent_code
            .as_ref()
            .map(|p| id_by_code[p.as_str()].clone());
        let text = |t: &Option<crate::domain::CleanText>| t.as_ref().map(|t| t.as_str().to_owned());
        let mail = |e: &Option<crate::domain::Email>| e.as_ref().map(|e| e.as_str().to_owned());
        if known.contains(spec.code.as_str()) {
            diesel::update(org_units::table.find(&id))
                .set((
                    org_units::name.eq(spec.name.as_str()),
                    org_units::kind.eq(spec.kind.as_str()),
                    org_units::parent_id.eq(&parent_id),
                    org_units::active.eq(true),
                    org_units::manager_name.eq(text(&spec.manager_name)),
                    org_units::manager_email.eq(mail(&spec.manager_email)),
                    org_units::deputy_name.eq(text(&spec.deputy_name)),
                    org_units::deputy_email.eq(mail(&spec.deputy_email)),
                    org_units::safety_rep_email.eq(mail(&spec.safety_rep_email)),
                    org_units::updated_at.eq(now),
                ))
                .execute(conn)?;
            summary.updated += 1;
        } else {
            diesel::insert_into(org_units::table)
                .values((
                    org_units::id.eq(&id),
                    org_units::code.eq(spec.code.as_str()),
                    org_units::name.eq(spec.name.as_str()),
                    org_units::kind.eq(spec.kind.as_str()),
                    org_units::parent_id.eq(&parent_id),
                    org_units::active.eq(true),
                    org_units::manager_name.eq(text(&spec.manager_name)),
                    org_units::manager_email.eq(mail(&spec.manager_email)),
                    org_units::deputy_name.eq(text(&spec.deputy_name)),
                    org_units::deputy_email.eq(mail(&spec.deputy_email)),
                    org_units::safety_rep_email.eq(mail(&spec.safety_rep_email)),
                    org_units::created_at.eq(now),
                    org_units::updated_at.eq(now),
                ))
                .execute(conn)?;
            summary.created += 1;
        }
        if let Some(n) = spec.employees {
            diesel::update(org_units::table.find(&id))
                .set(org_units::employees.eq(Some(n)))
                .execute(conn)?;
        }
        if spec.manager_away.is_some() {
            super::routing::set_absence(conn, &id, spec.manager_away, now)?;
        }
    }

    // The closure is derived data: rebuilding it whole keeps it exactly in step with the links.
    diesel::delete(org_closure::table).execute(conn)?;
    // Row by row: MultiConnection has no batch insert; inside one transaction this is cheap.
    for (anc, desc, depth) in &pairs {
        diesel::insert_into(org_closure::table)
            .values((
                org_closure::ancestor_id.eq(&id_by_code[anc]),
                org_closure::descendant_id.eq(&id_by_code[desc]),
                org_closure::depth.eq(*depth),
            ))
            .execute(conn)?;
    }
    Ok(summary)
}

/// (id, name) of these units, by name.
pub fn names(conn: &mut AnyConnection, ids: &[String]) -> DbResult<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(org_units::table
        .filter(org_units::id.eq_any(ids))
        .order(org_units::name.asc())
        .select((org_units::id, org_units::name))
        .load(conn)?)
}
