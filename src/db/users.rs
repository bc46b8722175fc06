//! Users, their unit roles, sessions, login links and API tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{api_tokens, login_tokens, org_units, role_grants, sessions, users};
use super::{AnyConnection, DbResult};

diesel::define_sql_function! {
    /// SQL `lower()`, the same in SQLite and PostgreSQL: org-tree e-mails are compared
    /// without regard to case.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub is_admin: bool,
    pub is_safety_coordinator: bool,
    pub is_finance: bool,
    pub disabled: bool,
}

pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> DbResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> DbResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The flags a new user starts with.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewUserFlags {
    pub admin: bool,
    pub safety_coordinator: bool,
    pub finance: bool,
}

/// The user with this e-mail, created if missing. `email` must be lower-case.
pub fn find_or_create(
    conn: &mut AnyConnection,
    email: &str,
    name: Option<&str>,
    flags: NewUserFlags,
    now: NaiveDateTime,
) -> DbResult<UserRow> {
    if let Some(user) = find_by_email(conn, email)? {
        return Ok(user);
    }
    diesel::insert_into(users::table)
        .values((
            users::id.eq(Uuid::now_v7().to_string()),
            users::email.eq(email),
            users::name.eq(name),
            users::is_admin.eq(flags.admin),
            users::is_safety_coordinator.eq(flags.safety_coordinator),
            users::is_finance.eq(flags.finance),
            users::disabled.eq(false),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    find_by_email(conn, email)?.ok_or_else(|| super::DbError::Corrupt("user vanished".into()))
}

/// Whether anyone in the org tree (manager, deputy, skyddsombud) has this e-mail.
pub fn in_org_tree(conn: &mut AnyConnection, email: &str) -> DbResult<bool> {
    let n: i64 = org_units::table
        .filter(org_units::active.eq(true))
        .filter(
            lower(org_units::manager_email)
                .eq(email)
                .or(lower(org_units::deputy_email).eq(email))
                .or(lower(org_units::safety_rep_email).eq(email)),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The units a person manages (as manager or deputy in the org tree, or by grant).
pub fn managed_units(
    conn: &mut AnyConnection,
    user_id: &str,
    email: &str,
) -> DbResult<Vec<String>> {
    let mut ids: Vec<String> = org_units::table
        .filter(org_units::active.eq(true))
        .filter(
            lower(org_units::manager_email)
                .eq(email)
                .or(lower(org_units::deputy_email).eq(email)),
        )
        .select(org_units::id)
        .load(conn)?;
    ids.extend(granted(conn, user_id, "manager")?);
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The units a person is safety representative for (org tree or grant).
pub fn safety_rep_units(
    conn: &mut AnyConnection,
    user_id: &str,
    email: &str,
) -> DbResult<Vec<String>> {
    let mut ids: Vec<String> = org_units::table
        .filter(org_units::active.eq(true))
        .filter(lower(org_units::safety_rep_email).eq(email))
        .select(org_units::id)
        .load(conn)?;
    ids.extend(granted(conn, user_id, "safety_rep")?);
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The units whose costs a person handles by a finance grant.
pub fn finance_units(conn: &mut AnyConnection, user_id: &str) -> DbResult<Vec<String>> {
    let mut ids = granted(conn, user_id, "finance")?;
    ids.sort();
    Ok(ids)
}

fn granted(conn: &mut AnyConnection, user_id: &str, role: &str) -> DbResult<Vec<String>> {
    Ok(role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .filter(role_grants::role.eq(role))
        .select(role_grants::org_unit_id)
        .load(conn)?)
}

pub fn grant(
    conn: &mut AnyConnection,
    user_id: &str,
    org_unit_id: &str,
    role: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(role_grants::table)
        .values((
            role_grants::user_id.eq(user_id),
            role_grants::org_unit_id.eq(org_unit_id),
            role_grants::role.eq(role),
            role_grants::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Disables or enables a user. Disabling ends every session and API token for good (revoked,
/// not merely suspended while the user is disabled), so re-enabling starts from none: a token
/// that leaked while the account was off must not come back to life with it.
pub fn set_disabled(
    conn: &mut AnyConnection,
    user_id: &str,
    disabled: bool,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let n = diesel::update(users::table.find(user_id))
        .set((users::disabled.eq(disabled), users::updated_at.eq(now)))
        .execute(conn)?;
    if disabled {
        diesel::update(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(now))
        .execute(conn)?;
        diesel::update(
            api_tokens::table
                .filter(api_tokens::user_id.eq(user_id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
    }
    Ok(n == 1)
}

// ---------- login links ----------

/// Whether `email` (lower-case) may log in: an existing user who is not disabled; else anyone
/// in the org tree, a configured coordinator, or an address in one of the login domains.
pub fn may_log_in(
    conn: &mut AnyConnection,
    email: &str,
    coordinators: &[String],
    domains: &[String],
) -> DbResult<bool> {
    Ok(match find_by_email(conn, email)? {
        Some(user) => !user.disabled,
        None => {
            in_org_tree(conn, email)?
                || coordinators
                    .iter()
                    .any(|k| k.trim().to_lowercase() == email)
                || email
                    .rsplit_once('@')
                    .is_some_and(|(_, d)| domains.iter().any(|k| k == d))
        }
    })
}

/// Stores a freshly minted login token, first removing the unused one a previous attempt to
/// send the same mail minted (`replaces`), so a retried mail leaves one live link, not two.
pub fn replace_login_token(
    conn: &mut AnyConnection,
    replaces: Option<&str>,
    token_hash: &str,
    email: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> DbResult<()> {
    if let Some(old) = replaces {
        diesel::delete(
            login_tokens::table
                .filter(login_tokens::token_hash.eq(old))
                .filter(login_tokens::used_at.is_null()),
        )
        .execute(conn)?;
    }
    insert_login_token(conn, token_hash, email, now, expires_at)
}

fn insert_login_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    email: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(login_tokens::table)
        .values((
            login_tokens::token_hash.eq(token_hash),
            login_tokens::email.eq(email),
            login_tokens::created_at.eq(now),
            login_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Uses a login token: marks it used if it is unused and unexpired, and returns its e-mail.
/// The conditional UPDATE makes it single-use even when two requests race.
pub fn consume_login_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> DbResult<Option<String>> {
    let n = diesel::update(
        login_tokens::table
            .filter(login_tokens::token_hash.eq(token_hash))
            .filter(login_tokens::used_at.is_null())
            .filter(login_tokens::expires_at.gt(now)),
    )
    .set(login_tokens::used_at.eq(now))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(login_tokens::table
        .find(token_hash)
        .select(login_tokens::email)
        .first(conn)
        .optional()?)
}

// ---------- sessions ----------

pub fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    user_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id_hash.eq(id_hash),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id_hash: String,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A session and its user, whatever their state; the caller judges expiry.
pub fn find_session(
    conn: &mut AnyConnection,
    id_hash: &str,
) -> DbResult<Option<(SessionRow, UserRow)>> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::id_hash.eq(id_hash))
        .select((
            (
                sessions::id_hash,
                sessions::last_seen_at,
                sessions::expires_at,
                sessions::revoked_at,
            ),
            UserRow::as_select(),
        ))
        .first(conn)
        .optional()?)
}

pub fn touch_session(conn: &mut AnyConnection, id_hash: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::update(sessions::table.find(id_hash))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn revoke_session(conn: &mut AnyConnection, id_hash: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::update(
        sessions::table
            .find(id_hash)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

// ---------- API tokens ----------

#[derive(Debug, Clone, Queryable)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert_api_token(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
    name: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(id),
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list_api_tokens(conn: &mut AnyConnection, user_id: &str) -> DbResult<Vec<TokenRow>> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::created_at.asc())
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::revoked_at,
        ))
        .load(conn)?)
}

/// Revokes one of the user's tokens; false if the user has no such token.
pub fn revoke_api_token(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let exists: i64 = api_tokens::table
        .filter(api_tokens::id.eq(id))
        .filter(api_tokens::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(exists == 1)
}

/// The live token with this hash and its (enabled) user; records its use.
pub fn use_api_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> DbResult<Option<UserRow>> {
    let found: Option<(String, UserRow)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select((api_tokens::id, UserRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((id, user)) = found else {
        return Ok(None);
    };
    diesel::update(api_tokens::table.find(&id))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)?;
    Ok(Some(user))
}

/// Every user, by e-mail.
pub fn list(conn: &mut AnyConnection) -> DbResult<Vec<UserRow>> {
    Ok(users::table
        .order(users::email.asc())
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Sets a user's unit-independent roles.
pub fn set_flags(
    conn: &mut AnyConnection,
    user_id: &str,
    flags: NewUserFlags,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::is_admin.eq(flags.admin),
            users::is_safety_coordinator.eq(flags.safety_coordinator),
            users::is_finance.eq(flags.finance),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
