//! `tillbud org import FILE`: reads the HR system's units from CSV or JSON and writes them in
//! one transaction. A bad row is reported with its line number and nothing is written.

use std::path::Path;

use serde::Deserialize;

use crate::db::org_units::{self, ImportError, ImportSummary};
use crate::db::Db;
use crate::domain::org_tree::UnitSpec;
use crate::domain::{CleanText, Email, OrgCode, OrgUnitKind};

/// One unit as the file states it. The CSV header is
/// `code,name,kind,parent_code,manager_name,manager_email,deputy_name,deputy_email,safety_rep_email`,
/// optionally followed by `manager_away_from,manager_away_until` and `employees` (headcount);
/// JSON is an array of objects with the same keys.
#[derive(Debug, Deserialize)]
pub struct UnitRecord {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub parent_code: Option<String>,
    #[serde(default)]
    pub manager_name: Option<String>,
    #[serde(default)]
    pub manager_email: Option<String>,
    #[serde(default)]
    pub deputy_name: Option<String>,
    #[serde(default)]
    pub deputy_email: Option<String>,
    #[serde(default)]
    pub safety_rep_email: Option<String>,
    /// First day the manager is away (YYYY-MM-DD); with `manager_away_until`.
    #[serde(default)]
    pub manager_away_from: Option<String>,
    /// Last day the manager is away (inclusive).
    #[serde(default)]
    pub manager_away_until: Option<String>,
    /// Headcount (a whole number); empty leaves the stored one.
    #[serde(default)]
    pub employees: Option<Headcount>,
}

/// A headcount as a JSON number or as text (CSV, or JSON that quotes it).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Headcount {
    Number(i64),
    Text(String),
}

#[derive(Debug, thiserror::Error)]
pub enum OrgImportError {
    #[error("{file}: {why}")]
    File { file: String, why: String },
    #[error("line {line}: {why}")]
    Row { line: usize, why: String },
    #[error("{0}")]
    Tree(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl UnitRecord {
    /// Parses one record; errors name the column.
    pub fn parse(self) -> Result<UnitSpec, String> {
        let code = OrgCode::parse(&self.code).map_err(|e| format!("code '{}': {e}", self.code))?;
        let name = CleanText::parse(&self.name, false).map_err(|e| format!("name: {e}"))?;
        if name.as_str().is_empty() || name.char_len() > 200 {
            return Err("name: must be 1–200 characters".into());
        }
        let kind: OrgUnitKind = self.kind.trim().parse().map_err(|()| {
            format!(
                "kind '{}': use one of group, administration, company, department, unit",
                self.kind
            )
        })?;
        let parent_code = blank_to_none(self.parent_code)
            .map(|p| OrgCode::parse(&p).map_err(|e| format!("parent_code '{p}': {e}")))
            .transpose()?;
        let text = |field: &str, v: Option<String>| {
            blank_to_none(v)
                .map(|s| CleanText::parse(&s, false).map_err(|e| format!("{field}: {e}")))
                .transpose()
        };
        let mail = |field: &str, v: Option<String>| {
            blank_to_none(v)
                .map(|s| {
                    Email::parse(&s).map_err(|_| format!("{field} '{s}' is not an e-mail address"))
                })
                .transpose()
        };
        let day = |field: &str, v: Option<String>| {
            blank_to_none(v)
                .map(|s| {
                    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                        .map_err(|_| format!("{field} '{s}' is not a date like 2026-12-24"))
                })
                .transpose()
        };
        let manager_away = match (
            day("manager_away_from", self.manager_away_from)?,
            day("manager_away_until", self.manager_away_until)?,
        ) {
            (Some(from), Some(until)) if from <= until => Some((from, until)),
            (Some(_), Some(_)) => return Err("manager_away_until: before manager_away_from".into()),
            (None, None) => None,
            _ => {
                return Err("manager_away_from and manager_away_until: give both or neither".into())
            }
        };
        let employees = blank_to_none(self.employees.map(|h| match h {
            Headcount::Number(n) => n.to_string(),
            Headcount::Text(s) => s,
        }))
        .map(|s| {
            s.parse::<i64>()
                .ok()
                .filter(|n| (0..=10_000_000).contains(n))
                .ok_or_else(|| format!("employees '{s}' is not a headcount like 120"))
        })
        .transpose()?;
        if parent_code.as_ref() == Some(&code) {
            return Err("parent_code: a unit cannot be its own parent".into());
        }
        Ok(UnitSpec {
            code,
            name,
            kind,
            parent_code,
            manager_name: text("manager_name", self.manager_name)?,
            manager_email: mail("manager_email", self.manager_email)?,
            deputy_name: text("deputy_name", self.deputy_name)?,
            deputy_email: mail("deputy_email", self.deputy_email)?,
            safety_rep_email: mail("safety_rep_email", self.safety_rep_email)?,
            manager_away,
            employees,
        })
    }
}

/// Parses a CSV document. Line numbers count the header as line 1.
pub fn parse_csv(text: &str) -> Result<Vec<UnitSpec>, OrgImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut specs = Vec::new();
    for record in reader.deserialize::<UnitRecord>() {
        let record = record.map_err(|e| OrgImportError::Row {
            line: e.position().map(|p| p.line() as usize).unwrap_or(0),
            why: e.to_string(),
        })?;
        let line = specs.len() + 2;
        specs.push(
            record
                .parse()
                .map_err(|why| OrgImportError::Row { line, why })?,
        );
    }
    check_unique(&specs, |i| i + 2)?;
    Ok(specs)
}

/// Parses a JSON array. "Line" is the 1-based position of the object in the array.
pub fn parse_json(text: &str) -> Result<Vec<UnitSpec>, OrgImportError> {
    let values: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|e| OrgImportError::Row {
            line: e.line(),
            why: e.to_string(),
        })?;
    let mut specs = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        let record: UnitRecord =
            serde_json::from_value(value).map_err(|e| OrgImportError::Row {
                line: i + 1,
                why: e.to_string(),
            })?;
        specs.push(
            record
                .parse()
                .map_err(|why| OrgImportError::Row { line: i + 1, why })?,
        );
    }
    check_unique(&specs, |i| i + 1)?;
    Ok(specs)
}

fn check_unique(
    specs: &[UnitSpec],
    line_of: impl Fn(usize) -> usize,
) -> Result<(), OrgImportError> {
    let mut seen = std::collections::BTreeMap::new();
    for (i, spec) in specs.iter().enumerate() {
        if let Some(first) = seen.insert(spec.code.clone(), i) {
            return Err(OrgImportError::Row {
                line: line_of(i),
                why: format!(
                    "code {} already given on line {}",
                    spec.code,
                    line_of(first)
                ),
            });
        }
    }
    Ok(())
}

/// Parses by extension (`.json`, else CSV).
pub fn parse_file(path: &Path) -> Result<Vec<UnitSpec>, OrgImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| OrgImportError::File {
        file: path.display().to_string(),
        why: e.to_string(),
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        parse_json(text)
    } else {
        parse_csv(text)
    }
}

/// Writes parsed units in one transaction. `have_coordinators`: safety coordinators are
/// configured, so a line with no one in it still reaches someone.
pub fn import(
    db: &Db,
    specs: &[UnitSpec],
    have_coordinators: bool,
) -> Result<ImportSummary, OrgImportError> {
    let mut outcome = None;
    let result =
        db.write_blocking(
            |conn| match org_units::import(conn, specs, have_coordinators) {
                Ok(summary) => Ok(summary),
                Err(ImportError::Db(e)) => Err(e),
                Err(other) => {
                    outcome = Some(other.to_string());
                    // Abort the transaction; the message is reported below.
                    Err(crate::db::DbError::Task("import refused".into()))
                }
            },
        );
    match (result, outcome) {
        (Ok(summary), _) => Ok(summary),
        (Err(_), Some(why)) => Err(OrgImportError::Tree(why)),
        (Err(e), None) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "code,name,kind,parent_code,manager_name,manager_email,deputy_name,deputy_email,safety_rep_email\n";

    #[test]
    fn csv_rows_parse() {
        let text = format!("{HEADER}KK,Karlskrona kommun,group,,Anna,anna@example.se,,,\nUTB,Utbildning,administration,KK,,,,,\n");
        let specs = parse_csv(&text).unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[1].parent_code.as_ref().unwrap().as_str(), "KK");
        assert_eq!(
            specs[0].manager_email.as_ref().unwrap().as_str(),
            "anna@example.se"
        );
    }

    #[test]
    fn bad_row_names_its_line() {
        let text =
            format!("{HEADER}KK,Karlskrona kommun,group,,,,,,\nUTB,Utbildning,skola,KK,,,,,\n");
        match parse_csv(&text) {
            Err(OrgImportError::Row { line, why }) => {
                assert_eq!(line, 3);
                assert!(why.contains("kind"), "{why}");
            }
            other => panic!("expected a row error, got {other:?}"),
        }
        let text = format!("{HEADER}KK,Karlskrona kommun,group,,,,,,\nKK,Igen,unit,,,,,,\n");
        assert!(matches!(
            parse_csv(&text),
            Err(OrgImportError::Row { line: 3, .. })
        ));
        let text = format!("{HEADER}KK,Karlskrona kommun,group,,,inte-epost,,,\n");
        assert!(matches!(
            parse_csv(&text),
            Err(OrgImportError::Row { line: 2, .. })
        ));
    }
}
