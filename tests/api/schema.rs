//! Both dialects' migrations create the same tables and columns.

use std::collections::BTreeMap;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;

use crate::helpers::pg_admin_url;

type Columns = BTreeMap<String, Vec<String>>;

#[derive(QueryableByName)]
struct Col {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

fn sorted(cols: Vec<Col>) -> Columns {
    let mut map = Columns::new();
    for c in cols {
        if c.table_name.starts_with("__diesel") {
            continue;
        }
        map.entry(c.table_name).or_default().push(c.column_name);
    }
    for v in map.values_mut() {
        v.sort();
    }
    map
}

fn sqlite_columns() -> Columns {
    let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
    conn.run_pending_migrations(tillbud::db::SQLITE_MIGRATIONS)
        .unwrap();
    let cols: Vec<Col> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name \
         FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'",
    )
    .load(&mut conn)
    .unwrap();
    sorted(cols)
}

/// Column names per table as `CREATE TABLE` statements in a migration directory declare them.
fn declared_columns(dialect: &str) -> Columns {
    let dir = format!("{}/migrations/{dialect}", env!("CARGO_MANIFEST_DIR"));
    let mut map = Columns::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let sql = std::fs::read_to_string(entry.path().join("up.sql")).unwrap();
        let sql: Vec<&str> = sql
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect();
        for stmt in sql.join("\n").split(';') {
            // `ALTER TABLE t ADD COLUMN c …` adds one column to an earlier table.
            if let Some(rest) = stmt.trim().strip_prefix("ALTER TABLE ") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                if let [table, "ADD", "COLUMN", column, ..] = words[..] {
                    let cols = map.entry(table.to_owned()).or_default();
                    cols.push(column.to_owned());
                    cols.sort();
                }
                continue;
            }
            let Some(rest) = stmt.trim().strip_prefix("CREATE TABLE ") else {
                continue;
            };
            let (name, body) = rest.split_once('(').unwrap();
            let cols = map.entry(name.trim().to_owned()).or_default();
            for line in body.lines() {
                let word = line.split_whitespace().next().unwrap_or("");
                if !word.is_empty()
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && word != "PRIMARY"
                {
                    cols.push(word.to_owned());
                }
            }
            cols.sort();
        }
    }
    map
}

#[test]
fn both_dialects_declare_the_same_tables_and_columns() {
    let sqlite = declared_columns("sqlite");
    assert_eq!(sqlite, declared_columns("postgres"));
    assert_eq!(
        sqlite,
        sqlite_columns(),
        "the declared columns are what SQLite creates"
    );
}

#[test]
fn postgres_creates_what_sqlite_creates() {
    let Some(admin) = pg_admin_url() else {
        eprintln!(
            "TILLBUD_TEST_DATABASE_URL is not set: compared the declared PostgreSQL schema only"
        );
        return;
    };
    let (url, _cleanup) = crate::helpers::fresh_database();
    let _ = admin;
    let mut conn = diesel::PgConnection::establish(&url).unwrap();
    conn.batch_execute("SET TIME ZONE 'UTC'").unwrap();
    conn.run_pending_migrations(tillbud::db::POSTGRES_MIGRATIONS)
        .unwrap();
    let cols: Vec<Col> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .load(&mut conn)
    .unwrap();
    assert_eq!(sorted(cols), sqlite_columns());
}
