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

diesel::joinable!(org_closure -> org_units (descendant_id));
diesel::joinable!(incidents -> org_units (org_unit_id));
diesel::joinable!(incident_consequences -> incidents (incident_id));
diesel::joinable!(incident_events -> incidents (incident_id));
diesel::joinable!(attachments -> incidents (incident_id));

diesel::allow_tables_to_appear_in_same_query!(
    org_units,
    org_closure,
    incidents,
    incident_consequences,
    incident_events,
    idempotency_keys,
    attachments,
);
