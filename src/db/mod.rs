//! Storage: one code path for SQLite and PostgreSQL through diesel's `MultiConnection`.
//! All SQL of the application lives in this module's children.

pub mod access;
pub mod actions;
pub mod attachments;
pub mod cases;
pub mod costs;
pub mod demo_costs;
pub mod duties;
pub mod events;
pub mod housekeeping;
pub mod idempotency;
pub mod incidents;
pub mod meta;
pub mod metrics;
pub mod org_units;
pub mod outbox;
pub mod retention;
pub mod routing;
pub mod schema;
pub mod sso;
pub mod statistics;
pub mod stats;
pub mod users;
pub mod yearly;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::SqliteSync;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    // Last: SQLite's `establish` accepts any string as a file name.
    Sqlite(diesel::SqliteConnection),
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Initialises OpenSSL (used by libpq for TLS to PostgreSQL) once, before any connection,
/// without an exit handler. Otherwise the first libpq connection registers OpenSSL's own
/// `atexit` cleanup, which frees its tables while pool threads may still be using them: a
/// segfault at process exit (seen in about 1 of 15 runs of `tillbud stats` on PostgreSQL).
pub fn init_tls() {
    openssl_sys::init();
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database could not take the work now (pool exhausted, SQLite locked): retryable.
    #[error("database busy: {0}")]
    Busy(String),
    #[error("database connection: {0}")]
    Connect(String),
    #[error("query failed: {0}")]
    Query(DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
    /// A blocking call failed (the thread pool, a panicked task).
    #[error("background task failed: {0}")]
    Task(String),
    /// Stored data that does not parse into its domain type (or a row that a change's own
    /// transaction should have found): a bug or a hand edit, never the caller's fault.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
}

impl DbError {
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }

    /// SQLite reports lock contention as an error; it is transient and worth a 503, not a 500.
    fn classify(e: DieselError) -> DbError {
        // A stored value that its row type refuses (`stored_as_text!`).
        if let DieselError::DeserializationError(why) = &e {
            return DbError::Corrupt(why.to_string());
        }
        if let DieselError::DatabaseError(_, info) = &e {
            let msg = info.message();
            if msg.contains("database is locked") || msg.contains("database is busy") {
                return DbError::Busy(msg.to_owned());
            }
        }
        DbError::Query(e)
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Lets a row struct carry a domain enum stored as TEXT: the column is read as a string and
/// parsed here, once, so nothing above `db` sees a stored state as text; a value that does
/// not parse is [`DbError::Corrupt`]. (`Queryable` with a `String` row works through the
/// MultiConnection backend as it is; the domain types stay free of diesel.)
macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl diesel::Queryable<diesel::sql_types::Text, MultiBackend> for $ty {
            type Row = String;
            fn build(row: String) -> diesel::deserialize::Result<Self> {
                row.parse().map_err(|()| {
                    format!("stored {} {row:?}", stringify!($ty)).into()
                })
            }
        }
    )+};
}

stored_as_text!(
    crate::domain::IncidentStatus,
    crate::domain::action::ActionState,
    crate::domain::IncidentKind,
    crate::domain::Consequence,
    crate::domain::legal_duty::InjurySeverity,
    crate::domain::case_event::EventKind,
    crate::domain::risk::RiskLevel,
    crate::domain::OrgUnitKind,
    crate::domain::cost::ClaimState,
);
/// A nullable TEXT column holding a domain enum, for an `Option<T>` field of a derived row:
/// `#[diesel(deserialize_as = MaybeText<T>)]`. (diesel reads `Option<T>` only through
/// `FromSql`, which the enums do not implement.)
pub struct MaybeText<T>(Option<T>);

impl<T: std::str::FromStr<Err = ()>>
    diesel::Queryable<diesel::sql_types::Nullable<diesel::sql_types::Text>, MultiBackend>
    for MaybeText<T>
{
    type Row = Option<String>;
    fn build(row: Option<String>) -> diesel::deserialize::Result<Self> {
        row.map(|s| {
            s.parse()
                .map_err(|()| format!("stored {} {s:?}", std::any::type_name::<T>()).into())
        })
        .transpose()
        .map(MaybeText)
    }
}

impl<T> From<MaybeText<T>> for Option<T> {
    fn from(m: MaybeText<T>) -> Option<T> {
        m.0
    }
}

/// A calendar date stored as `YYYY-MM-DD` text (which sorts and compares like the dates),
/// read by a row as a `NaiveDate`; a stored text that is no date is [`DbError::Corrupt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateText(pub chrono::NaiveDate);

impl diesel::Queryable<diesel::sql_types::Text, MultiBackend> for DateText {
    type Row = String;
    fn build(row: String) -> diesel::deserialize::Result<Self> {
        chrono::NaiveDate::parse_from_str(&row, "%Y-%m-%d")
            .map(DateText)
            .map_err(|e| format!("stored date {row:?}: {e}").into())
    }
}

pub type Conn = PooledConnection<ConnectionManager<AnyConnection>>;

#[derive(Debug)]
struct SessionSettings {
    sqlite_sync: SqliteSync,
}

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        let sql = match conn {
            // WAL lets readers work while one writer commits; FULL fsyncs the WAL at every
            // commit so a 201 survives power loss (NORMAL only survives a process crash).
            AnyConnection::Sqlite(_) => match self.sqlite_sync {
                // busy_timeout first: the journal_mode pragma waits for a lock too, and
                // without it a connection opened while another process writes fails at once.
                SqliteSync::Full => "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                SqliteSync::Normal => "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            },
            // Times are stored as UTC `timestamp`; pin the session zone so nothing converts them.
            AnyConnection::Postgresql(_) => "SET TIME ZONE 'UTC'",
        };
        conn.batch_execute(sql)
            .map_err(diesel::r2d2::Error::QueryError)?;
        if let AnyConnection::Sqlite(lite) = conn {
            cases::register_sqlite_functions(lite).map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The connection pool and what the application needs to know about it.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<AnyConnection>>,
    backend: Backend,
    /// SQLite allows one writer at a time; taking turns here instead of inside SQLite avoids
    /// busy errors between this process's own connections.
    write_lock: Arc<Mutex<()>>,
    counters: Arc<Counters>,
}

/// What the metrics read about the pool and the writers (see `crate::metrics::PoolFigures`).
#[derive(Debug, Default)]
struct Counters {
    acquired: AtomicU64,
    wait_micros: AtomicU64,
    writers_waiting: AtomicI64,
    writes: AtomicU64,
    write_micros: AtomicU64,
}

/// Counts one write transaction from its start (waiting for the turn) to its end.
struct WriteTimer<'a> {
    counters: &'a Counters,
    start: Instant,
}

impl Drop for WriteTimer<'_> {
    fn drop(&mut self) {
        let micros = u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        self.counters
            .write_micros
            .fetch_add(micros, Ordering::Relaxed);
    }
}

/// Turns the configured URL into what the driver expects (`sqlite://x.db` → `x.db`).
fn driver_url(url: &str) -> String {
    url.strip_prefix("sqlite://").unwrap_or(url).to_owned()
}

impl Db {
    pub fn connect(
        url: &str,
        pool_size: u32,
        sqlite_sync: SqliteSync,
        acquire_timeout: Duration,
    ) -> DbResult<Db> {
        init_tls();
        let backend = Backend::of_url(url);
        let driver_url = driver_url(url);
        if backend == Backend::Sqlite {
            if let Some(dir) = std::path::Path::new(&driver_url).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        DbError::Connect(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
            }
        }
        let manager = ConnectionManager::<AnyConnection>::new(driver_url);
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(acquire_timeout)
            .connection_customizer(Box::new(SessionSettings { sqlite_sync }))
            .build(manager)
            .map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(Db {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            counters: Arc::new(Counters::default()),
        })
    }

    /// Connects with the configured URL, pool size and SQLite durability.
    pub fn from_settings(settings: &crate::config::Settings) -> DbResult<Db> {
        Db::connect(
            &settings.database_url,
            settings.database_pool_size,
            settings.sqlite_synchronous,
            settings.db_acquire_timeout,
        )
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn conn(&self) -> DbResult<Conn> {
        let start = Instant::now();
        let conn = self.pool.get().map_err(|e| DbError::Busy(e.to_string()));
        let micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.counters.acquired.fetch_add(1, Ordering::Relaxed);
        self.counters
            .wait_micros
            .fetch_add(micros, Ordering::Relaxed);
        conn
    }

    /// The pool and writer figures for the metrics.
    pub fn pool_figures(&self) -> crate::metrics::PoolFigures {
        let state = self.pool.state();
        let c = &self.counters;
        crate::metrics::PoolFigures {
            size: state.connections,
            in_use: state.connections.saturating_sub(state.idle_connections),
            acquired: c.acquired.load(Ordering::Relaxed),
            wait_secs: c.wait_micros.load(Ordering::Relaxed) as f64 / 1e6,
            writers_waiting: c.writers_waiting.load(Ordering::Relaxed),
            writes: c.writes.load(Ordering::Relaxed),
            write_secs: c.write_micros.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }

    /// Waits for SQLite's writer turn (none on PostgreSQL), counted for the metrics.
    fn writer_turn(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => {
                self.counters
                    .writers_waiting
                    .fetch_add(1, Ordering::Relaxed);
                // A poisoned lock only means another writer panicked; the database is fine.
                let turn = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
                self.counters
                    .writers_waiting
                    .fetch_sub(1, Ordering::Relaxed);
                Some(turn)
            }
            Backend::Postgres => None,
        }
    }

    /// Applies pending migrations of the connection's dialect. On PostgreSQL an advisory lock
    /// makes instances that start together take turns.
    pub fn migrate(&self) -> DbResult<Vec<String>> {
        let mut conn = self.conn()?;
        let applied = match &mut *conn {
            AnyConnection::Postgresql(pg) => {
                pg.batch_execute("SELECT pg_advisory_lock(7363516)")?;
                let result = pg
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.iter().map(|m| m.to_string()).collect::<Vec<_>>());
                pg.batch_execute("SELECT pg_advisory_unlock(7363516)")?;
                result
            }
            AnyConnection::Sqlite(lite) => lite
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.to_string()).collect::<Vec<_>>()),
        };
        applied.map_err(|e| DbError::Migration(e.to_string()))
    }

    /// Runs read-only work on a pooled connection, off the async executor.
    pub async fn read<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> DbResult<T> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.read_blocking(f))
            .await
            .map_err(|e| DbError::Task(e.to_string()))?
    }

    /// Runs `f` inside one transaction, off the async executor.
    pub async fn write<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> DbResult<T> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_blocking(f))
            .await
            .map_err(|e| DbError::Task(e.to_string()))?
    }

    pub fn read_blocking<T, F>(&self, f: F) -> DbResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> DbResult<T>,
    {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    pub fn write_blocking<T, F>(&self, f: F) -> DbResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> DbResult<T>,
    {
        let _timer = WriteTimer {
            counters: &self.counters,
            start: Instant::now(),
        };
        let mut conn = self.conn()?;
        let _turn = self.writer_turn();
        conn.transaction::<T, TxError, _>(|c| f(c).map_err(TxError))
            .map_err(|TxError(e)| e)
    }

    /// One transaction for a use case whose closure may refuse as well as fail: any `Err`,
    /// a refusal of the use case or a database error, rolls everything back.
    pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.transaction_blocking(f))
            .await
            .map_err(|e| E::from(DbError::Task(e.to_string())))?
    }

    fn transaction_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: From<DbError>,
        F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    {
        let _timer = WriteTimer {
            counters: &self.counters,
            start: Instant::now(),
        };
        let mut conn = self.conn()?;
        let _turn = self.writer_turn();
        conn.transaction::<T, OpTx<E>, _>(|c| f(c).map_err(OpTx::Op))
            .map_err(|e| match e {
                OpTx::Op(e) => e,
                OpTx::Diesel(d) => E::from(DbError::classify(d)),
            })
    }

    /// Whether the database answers (for `/health/ready`).
    pub async fn ping(&self) -> DbResult<()> {
        self.read(|c| {
            c.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
    }
}

/// Carries our error through diesel's transaction, which needs `From<diesel::result::Error>`.
struct TxError(DbError);

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError(DbError::classify(e))
    }
}

/// Carries a use case's error (or diesel's own, from BEGIN/COMMIT) through a transaction.
enum OpTx<E> {
    Op(E),
    Diesel(DieselError),
}

impl<E> From<DieselError> for OpTx<E> {
    fn from(e: DieselError) -> Self {
        OpTx::Diesel(e)
    }
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        DbError::classify(e)
    }
}

/// Times are stored as naive UTC.
pub fn now_utc() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
