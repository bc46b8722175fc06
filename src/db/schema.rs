//! The diesel schema, written for both dialects: only SQL types that SQLite and PostgreSQL
//! share through diesel's MultiConnection (UUIDs as Text, UTC times as Timestamp).
//! Keep in step with `migrations/sqlite` and `migrations/postgres`; `tests/schema.rs` checks.

diesel::table! {
    org_units (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        active -> Bool,
        manager_name -> Nullable<Text>,
        manager_email -> Nullable<Text>,
        deputy_name -> Nullable<Text>,
        deputy_email -> Nullable<Text>,
        safety_rep_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        employees -> Nullable<BigInt>,
    }
}

diesel::table! {
    org_closure (ancestor_id, descendant_id) {
        ancestor_id -> Text,
        descendant_id -> Text,
        depth -> Integer,
    }
}

diesel::table! {
    incidents (id) {
        id -> Text,
        tracking_code -> Text,
        kind -> Text,
        status -> Text,
        org_unit_id -> Text,
        occurred_at -> Timestamp,
        title -> Text,
        description -> Text,
        location -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        immediate_action -> Nullable<Text>,
        anonymous -> Bool,
        reporter_name -> Nullable<Text>,
        reporter_email -> Nullable<Text>,
        reporter_phone -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        reporter_user_id -> Nullable<Text>,
        risk_likelihood -> Nullable<Integer>,
        risk_consequence -> Nullable<Integer>,
        risk_level -> Nullable<Text>,
        cause_category -> Nullable<Text>,
        investigation -> Nullable<Text>,
        injury_severity -> Text,
        several_injured -> Bool,
        serious_danger -> Bool,
        status_reason -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
        av_confirmed -> Nullable<Bool>,
        av_reported_at -> Nullable<Timestamp>,
        av_reference -> Nullable<Text>,
        av_reminded_at -> Nullable<Timestamp>,
        av_escalated_at -> Nullable<Timestamp>,
        fk_confirmed -> Nullable<Bool>,
        fk_reported_at -> Nullable<Timestamp>,
        fk_reference -> Nullable<Text>,
        fk_reminded_at -> Nullable<Timestamp>,
        fk_escalated_at -> Nullable<Timestamp>,
        anonymised_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    corrective_actions (id) {
        id -> Text,
        incident_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        owner_email -> Text,
        due_date -> Text,
        cost_estimate_ore -> Nullable<BigInt>,
        state -> Text,
        state_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        reminded_before_at -> Nullable<Timestamp>,
        reminded_overdue_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Nullable<Text>,
        is_admin -> Bool,
        is_safety_coordinator -> Bool,
        is_finance -> Bool,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_grants (user_id, org_unit_id, role) {
        user_id -> Text,
        org_unit_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_tokens (token_hash) {
        token_hash -> Text,
        email -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oidc_logins (state_hash) {
        state_hash -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        next_path -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sso_sessions (session_hash) {
        session_hash -> Text,
        roles -> Text,
        id_token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    incident_consequences (incident_id, consequence) {
        incident_id -> Text,
        consequence -> Text,
    }
}

diesel::table! {
    incident_events (id) {
        id -> Text,
        incident_id -> Text,
        at -> Timestamp,
        actor -> Nullable<Text>,
        kind -> Text,
        public -> Bool,
        data -> Text,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        incident_id -> Text,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Text,
        data -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        incident_id -> Nullable<Text>,
        purpose -> Text,
        role -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        secret_ref -> Nullable<Text>,
        dead_alarmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    incident_routing (incident_id) {
        incident_id -> Text,
        responsible -> Text,
        responsible_unit_id -> Nullable<Text>,
        serious -> Bool,
        remind_at -> Timestamp,
        escalate_at -> Timestamp,
        reminded_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        acknowledged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    org_absences (org_unit_id) {
        org_unit_id -> Text,
        away_from -> Text,
        away_until -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    app_meta (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cost_entries (id) {
        id -> Text,
        incident_id -> Text,
        org_unit_id -> Text,
        category -> Text,
        direction -> Text,
        basis -> Text,
        amount_ore -> BigInt,
        sign -> Integer,
        incurred_on -> Text,
        month -> Integer,
        voucher_ref -> Nullable<Text>,
        note -> Nullable<Text>,
        origin -> Text,
        reverses_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        entered_by -> Text,
        entered_at -> Timestamp,
    }
}

diesel::table! {
    insurance_claims (incident_id) {
        incident_id -> Text,
        insurer -> Nullable<Text>,
        claim_number -> Nullable<Text>,
        deductible_ore -> Nullable<BigInt>,
        expected_recovery_ore -> Nullable<BigInt>,
        state -> Text,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cost_rollup_unit (org_unit_id, basis, month, dim) {
        org_unit_id -> Text,
        month -> Integer,
        dim -> Text,
        basis -> Text,
        cost_ore -> BigInt,
        recovery_ore -> BigInt,
    }
}

diesel::table! {
    cost_rollup_group (basis, month, dim) {
        month -> Integer,
        dim -> Text,
        basis -> Text,
        cost_ore -> BigInt,
        recovery_ore -> BigInt,
    }
}

diesel::table! {
    cost_case_counts_unit (org_unit_id, grain, basis, period, dim) {
        org_unit_id -> Text,
        grain -> Text,
        period -> Integer,
        dim -> Text,
        basis -> Text,
        cases -> BigInt,
    }
}

diesel::table! {
    cost_case_counts_group (grain, basis, period, dim) {
        grain -> Text,
        period -> Integer,
        dim -> Text,
        basis -> Text,
        cases -> BigInt,
    }
}

diesel::table! {
    stats_rollup (org_unit_id, month, dim) {
        org_unit_id -> Text,
        month -> Integer,
        dim -> Text,
        n -> BigInt,
    }
}

diesel::joinable!(org_closure -> org_units (descendant_id));
diesel::joinable!(outbox -> incidents (incident_id));
diesel::joinable!(incident_routing -> incidents (incident_id));
diesel::joinable!(org_absences -> org_units (org_unit_id));
diesel::joinable!(incidents -> org_units (org_unit_id));
diesel::joinable!(incident_consequences -> incidents (incident_id));
diesel::joinable!(incident_events -> incidents (incident_id));
diesel::joinable!(attachments -> incidents (incident_id));
diesel::joinable!(corrective_actions -> incidents (incident_id));
diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(role_grants -> org_units (org_unit_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(cost_entries -> incidents (incident_id));
diesel::joinable!(insurance_claims -> incidents (incident_id));

diesel::allow_tables_to_appear_in_same_query!(
    org_units,
    org_closure,
    incidents,
    incident_consequences,
    incident_events,
    idempotency_keys,
    attachments,
    corrective_actions,
    users,
    role_grants,
    login_tokens,
    sessions,
    api_tokens,
    outbox,
    incident_routing,
    org_absences,
    cost_entries,
    insurance_claims,
    cost_rollup_unit,
    cost_rollup_group,
    cost_case_counts_unit,
    cost_case_counts_group,
    stats_rollup,
);
