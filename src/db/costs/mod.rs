//! Damage costs: the append-only entries, insurance claims, the rollups written in the same
//! transaction as every entry, and the questions asked of them.
//!
//! The aggregations are plain SQL shared by both engines (`CAST(SUM(…) AS BIGINT)` so
//! PostgreSQL's `numeric` sums come back as integers); only the placeholder syntax differs,
//! `$1` here and `?1` on SQLite.

pub mod access;
pub mod entries;
pub mod lists;
pub mod rollup;
pub mod trends;

pub use access::{case_access, CostAccess, CostScope};
pub use entries::{rebook_for_move, ClaimRow, NewClaim};

use super::AnyConnection;

/// The SQL text for this connection: `$n` placeholders become `?n` on SQLite.
pub(crate) fn dialect(conn: &AnyConnection, sql: &str) -> String {
    match conn {
        AnyConnection::Postgresql(_) => sql.to_owned(),
        AnyConnection::Sqlite(_) => sql.replace('$', "?"),
    }
}

/// `$first, $first+1, …` for `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the same diesel code on whichever connection this is; the body is compiled once per
/// backend, so `sql_query` binds and loads work on both.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// A bound value of a dynamic query.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(String),
    Int(i32),
    Big(i64),
}

/// Builds a boxed `sql_query` with `values` bound in order, on the given connection type.
macro_rules! bound_query {
    ($c:ident, $sql:expr, $values:expr) => {{
        let mut q = diesel::sql_query($sql).into_boxed();
        for v in $values {
            q = match v {
                $crate::db::costs::Value::Text(s) => {
                    q.bind::<diesel::sql_types::Text, _>(s.clone())
                }
                $crate::db::costs::Value::Int(i) => q.bind::<diesel::sql_types::Integer, _>(*i),
                $crate::db::costs::Value::Big(i) => q.bind::<diesel::sql_types::BigInt, _>(*i),
            };
        }
        q
    }};
}

/// Runs a statement with dynamic binds; answers the rows changed.
pub(crate) fn execute(
    conn: &mut AnyConnection,
    sql: &str,
    values: &[Value],
) -> super::DbResult<usize> {
    use diesel::RunQueryDsl;
    let sql = dialect(conn, sql);
    Ok(on_conn!(conn, c => bound_query!(c, sql.as_str(), values).execute(c))?)
}

/// Loads rows of a dynamic query.
pub(crate) fn load<T>(
    conn: &mut AnyConnection,
    sql: &str,
    values: &[Value],
) -> super::DbResult<Vec<T>>
where
    T: diesel::QueryableByName<diesel::pg::Pg>
        + diesel::QueryableByName<diesel::sqlite::Sqlite>
        + 'static,
{
    use diesel::RunQueryDsl;
    let sql = dialect(conn, sql);
    Ok(on_conn!(conn, c => bound_query!(c, sql.as_str(), values).load::<T>(c))?)
}
