-- Damage costs (skadekostnader) and recoveries per case. Append-only: a correction is a new
-- row that names the row it reverses (each row is reversed at most once, by the unique index),
-- so the history of money is never rewritten. The unit is the case's unit when the row was
-- written; a move reverses the case's standing rows and books them again on the new unit.
CREATE TABLE cost_entries (
    id          TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    org_unit_id TEXT NOT NULL REFERENCES org_units (id),
    category    TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('cost', 'recovery')),
    basis       TEXT NOT NULL CHECK (basis IN ('actual', 'estimate')),
    amount_ore  BIGINT NOT NULL CHECK (amount_ore > 0),
    sign        INTEGER NOT NULL CHECK (sign IN (1, -1)),
    incurred_on TEXT NOT NULL,
    month       INTEGER NOT NULL,
    voucher_ref TEXT,
    note        TEXT,
    origin      TEXT NOT NULL CHECK (origin IN ('entry', 'reversal', 'move_out', 'move_in')),
    reverses_id TEXT REFERENCES cost_entries (id),
    reason      TEXT,
    entered_by  TEXT NOT NULL,
    entered_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX cost_entries_reverses ON cost_entries (reverses_id);
CREATE INDEX cost_entries_incident ON cost_entries (incident_id, entered_at);
CREATE INDEX cost_entries_unit_month ON cost_entries (org_unit_id, month);
CREATE INDEX cost_entries_month ON cost_entries (month);
CREATE FUNCTION cost_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cost entries are append-only: add a reversal instead';
END;
$$;
CREATE TRIGGER cost_entries_no_change BEFORE UPDATE OR DELETE ON cost_entries
    FOR EACH ROW EXECUTE FUNCTION cost_entries_append_only();

-- One insurance claim per case; a plain row with a version (If-Match), changed in place.
CREATE TABLE insurance_claims (
    incident_id           TEXT PRIMARY KEY NOT NULL REFERENCES incidents (id),
    insurer               TEXT,
    claim_number          TEXT,
    deductible_ore        BIGINT CHECK (deductible_ore >= 0),
    expected_recovery_ore BIGINT CHECK (expected_recovery_ore >= 0),
    state                 TEXT NOT NULL,
    version               BIGINT NOT NULL,
    updated_by            TEXT NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX insurance_claims_state ON insurance_claims (state, updated_at);

-- Rollups, written in the transaction of every cost row, so a trend reads a few thousand rows
-- instead of every entry. `dim` is `c:<category>` or `k:<incident kind>`; `month` is yyyymm.
-- The keys put the equalities a question has (unit, basis, grain) before the range it scans.
-- Subtrees are resolved through org_closure when asked, so a reorganisation needs no rebuild.
CREATE TABLE cost_rollup_unit (
    org_unit_id  TEXT NOT NULL,
    month        INTEGER NOT NULL,
    dim          TEXT NOT NULL,
    basis        TEXT NOT NULL,
    cost_ore     BIGINT NOT NULL,
    recovery_ore BIGINT NOT NULL,
    PRIMARY KEY (org_unit_id, basis, month, dim)
);
-- The same without the unit, for group-wide questions.
CREATE TABLE cost_rollup_group (
    month        INTEGER NOT NULL,
    dim          TEXT NOT NULL,
    basis        TEXT NOT NULL,
    cost_ore     BIGINT NOT NULL,
    recovery_ore BIGINT NOT NULL,
    PRIMARY KEY (basis, month, dim)
);
-- Cases with standing (unreversed) cost rows, per period: distinct counts do not add up over
-- months or categories, so they are kept per grain (`m` month, `q` quarter, `y` year, `ytd`
-- January to the month), per `dim` (`c:…`, `k:…` or `*` for all) and basis (`actual`,
-- `estimate` or `both`). `period` is yyyy*100 + month, quarter or 0. A case's standing rows
-- are all on its current unit, so counts do add up over units.
CREATE TABLE cost_case_counts_unit (
    org_unit_id TEXT NOT NULL,
    grain       TEXT NOT NULL,
    period      INTEGER NOT NULL,
    dim         TEXT NOT NULL,
    basis       TEXT NOT NULL,
    cases       BIGINT NOT NULL,
    PRIMARY KEY (org_unit_id, grain, basis, period, dim)
);
CREATE TABLE cost_case_counts_group (
    grain  TEXT NOT NULL,
    period INTEGER NOT NULL,
    dim    TEXT NOT NULL,
    basis  TEXT NOT NULL,
    cases  BIGINT NOT NULL,
    PRIMARY KEY (grain, basis, period, dim)
);
