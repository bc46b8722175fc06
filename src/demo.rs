//! Demo data: a Swedish municipal group (kommunkoncern) with administrations, schools,
//! elderly care, housing, energy and port companies, and a few reports, so that
//! `tillbud serve --demo` shows a living product. Addresses are at example.se.

use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::db::users::{self, NewUserFlags};
use crate::db::{incidents, meta, org_units, Db, DbError};
use crate::domain::{CleanText, Consequence, IncidentKind, NewIncident, Reporter, TrackingCode};
use crate::ops::org_import;

/// The demo organisation, in the import format (`tillbud org import` takes the same).
pub const DEMO_ORG_CSV: &str = include_str!("demo_org.csv");

/// Seeds the organisation, the demo users and a few reports into an empty database, and
/// marks it as a demo database. Does nothing (false) if the database holds anything.
pub fn seed_if_empty(db: &Db) -> anyhow::Result<bool> {
    let (units, reports, users) = db.read_blocking(meta::data_counts)?;
    if units + reports + users > 0 {
        return Ok(false);
    }
    seed(db)?;
    Ok(true)
}

/// For `serve --demo`: seeds an empty database (true), accepts one demo mode seeded before
/// (false), and refuses any other: demo users anyone may log in as — an administrator among
/// them — must never appear beside real data.
pub fn prepare(db: &Db) -> anyhow::Result<bool> {
    let demo = db.read_blocking(meta::is_demo)?;
    let (units, reports, users) = db.read_blocking(meta::data_counts)?;
    if units + reports + users == 0 {
        seed(db)?;
        return Ok(true);
    }
    if !demo {
        anyhow::bail!(
            "refusing --demo: this database was not seeded by demo mode and holds data \
             ({units} units, {reports} reports, {users} users); demo mode would let anyone log \
             in as its demo users, an administrator among them. Start without --demo \
             (TILLBUD_DEMO=false), or give TILLBUD_DATABASE_URL an empty database"
        );
    }
    Ok(false)
}

/// Whether demo logins may be offered: demo mode is on and demo mode seeded this database.
pub async fn active(db: &Db, demo_mode: bool) -> Result<bool, DbError> {
    if !demo_mode {
        return Ok(false);
    }
    db.read(meta::is_demo).await
}

fn seed(db: &Db) -> anyhow::Result<()> {
    // Marked first: whatever follows in this database is demo data, even if seeding stops
    // half-way (the next start then finds a demo database, not a "real" one to refuse).
    let now = Utc::now().naive_utc();
    db.write_blocking(|c| meta::set(c, meta::DEMO_SEEDED, "true", now))?;
    let specs = org_import::parse_csv(DEMO_ORG_CSV)?;
    // The demo tree must reach someone on its own, without configured coordinators.
    org_import::import(db, &specs, false)?;
    seed_users(db)?;
    seed_reports(db)?;
    crate::demo_costs::seed(db)?;
    Ok(())
}

/// A demo user: e-mail, name, what they show, and the flags beyond the org tree.
pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    /// (sv, en)
    pub role: (&'static str, &'static str),
    pub flags: NewUserFlags,
}

const NONE: NewUserFlags = NewUserFlags {
    admin: false,
    safety_coordinator: false,
    finance: false,
};

/// One of each role, with siblings and a parent in the same line, for the one-click demo
/// login. The unit roles come from the demo org tree's e-mails.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "petra.lindgren@example.se",
        name: "Petra Lindgren",
        role: ("Rektor, Lyckeby skola", "Head teacher, Lyckeby school"),
        flags: NONE,
    },
    DemoUser {
        email: "fredrik.dahl@example.se",
        name: "Fredrik Dahl",
        role: (
            "Rektor, Nättraby skola (syskonenhet)",
            "Head teacher, Nättraby school (sibling unit)",
        ),
        flags: NONE,
    },
    DemoUser {
        email: "jonas.blom@example.se",
        name: "Jonas Blom",
        role: ("Verksamhetschef, Grundskola", "Head of compulsory schools"),
        flags: NONE,
    },
    DemoUser {
        email: "skyddsombud.lyckebyskola@example.se",
        name: "Skyddsombud Lyckeby skola",
        role: (
            "Skyddsombud, Lyckeby skola",
            "Safety representative, Lyckeby school",
        ),
        flags: NONE,
    },
    DemoUser {
        email: "mikael.strand@example.se",
        name: "Mikael Strand",
        role: ("Säkerhetssamordnare", "Safety coordinator"),
        flags: NewUserFlags {
            safety_coordinator: true,
            ..NONE
        },
    },
    DemoUser {
        email: "lars.nystrom@example.se",
        name: "Lars Nyström",
        role: ("Ekonomi", "Finance"),
        flags: NewUserFlags {
            finance: true,
            ..NONE
        },
    },
    DemoUser {
        email: "admin@example.se",
        name: "Administratör",
        role: ("Administratör", "Administrator"),
        flags: NewUserFlags {
            admin: true,
            ..NONE
        },
    },
    DemoUser {
        email: "eva.ek@example.se",
        name: "Eva Ek",
        role: ("Medarbetare", "Employee"),
        flags: NONE,
    },
];

fn seed_users(db: &Db) -> Result<(), DbError> {
    let now = Utc::now().naive_utc();
    db.write_blocking(move |c| {
        for u in DEMO_USERS {
            users::find_or_create(c, u.email, Some(u.name), u.flags, now)?;
        }
        Ok(())
    })
}

/// (unit code, kind, days ago, title, description, consequences)
type DemoReport = (
    &'static str,
    IncidentKind,
    i64,
    &'static str,
    &'static str,
    &'static [Consequence],
);

fn seed_reports(db: &Db) -> Result<(), DbError> {
    let now = Utc::now();
    let text = |s: &str| CleanText::parse(s, true).map_err(|e| DbError::Task(e.into()));
    let reports: [DemoReport; 5] = [
        (
            "UTB-GR-LYC",
            IncidentKind::NearMiss,
            2,
            "Halka vid entrén",
            "Isfläcken vid huvudentrén var inte sandad. En elev halkade men klarade sig.",
            &[Consequence::Person],
        ),
        (
            "AEO-HT-LYC",
            IncidentKind::ThreatViolence,
            5,
            "Hotfull anhörig vid hembesök",
            "En anhörig uppträdde hotfullt mot personalen vid ett hembesök på förmiddagen.",
            &[Consequence::Person],
        ),
        (
            "TEK-GAT",
            IncidentKind::PropertyDamage,
            9,
            "Påkörd gatlykta",
            "En arbetsmaskin backade in i en gatlykta på Ronnebygatan. Lyktan lutar.",
            &[Consequence::Economic],
        ),
        (
            "AFAB-VA",
            IncidentKind::Environmental,
            14,
            "Utsläpp av dagvatten",
            "Bräddning vid pumpstationen efter kraftigt regn. Provtagning gjord.",
            &[Consequence::Environment, Consequence::Service],
        ),
        (
            "KOF-BIB",
            IncidentKind::RiskObservation,
            20,
            "Lös bokhylla i barnavdelningen",
            "En bokhylla i barnavdelningen är inte förankrad i väggen och kan välta.",
            &[],
        ),
    ];
    db.write_blocking(|conn| {
        for (code, kind, days_ago, title, description, consequences) in reports {
            let incident = NewIncident {
                kind,
                org_unit_id: org_units::id_by_code(conn, code)?,
                occurred_at: now - Duration::days(days_ago),
                title: text(title)?,
                description: text(description)?,
                location: None,
                coordinates: None,
                consequences: consequences.iter().copied().collect(),
                immediate_action: None,
                reporter: Some(Reporter::default()).filter(|r| !r.is_empty()),
            };
            let created = (now - Duration::days(days_ago)).naive_utc();
            incidents::insert_new(
                conn,
                &Uuid::now_v7(),
                &TrackingCode::generate(),
                &incident,
                created,
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_org_is_large_and_deep_enough() {
        let specs = org_import::parse_csv(DEMO_ORG_CSV).unwrap();
        assert!(specs.len() >= 40, "{} units", specs.len());
        let parents: std::collections::BTreeMap<_, _> = specs
            .iter()
            .map(|s| (s.code.clone(), s.parent_code.clone()))
            .collect();
        let pairs = crate::domain::org_tree::closure(&parents).unwrap();
        let max_depth = pairs.iter().map(|p| p.2).max().unwrap();
        assert!((2..=3).contains(&max_depth), "levels: {}", max_depth + 1);
        for spec in &specs {
            if matches!(
                spec.kind,
                crate::domain::OrgUnitKind::Administration | crate::domain::OrgUnitKind::Company
            ) {
                assert!(
                    spec.manager_email.is_some() && spec.deputy_email.is_some(),
                    "{}",
                    spec.code
                );
            }
        }
    }
}
