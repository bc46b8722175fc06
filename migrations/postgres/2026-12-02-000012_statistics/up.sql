-- The yearly follow-up and the open statistics (issue 12).

-- Headcount of a unit from the HR system's import (optional): reports per 100 employees.
ALTER TABLE org_units ADD COLUMN employees BIGINT;

-- Counts of reports per unit × month (yyyymm, Europe/Stockholm, the month reported) ×
-- dimension: `n` every report, `k:<kind>`, `c:<consequence>`, `ack_due`, `ack_in_time`, `av`.
-- Rebuilt from the cases by the statistics refresh (the worker, every few minutes), which
-- writes only the rows that changed; the yearly follow-up and the open statistics read it.
CREATE TABLE stats_rollup (
    org_unit_id TEXT NOT NULL,
    month       INTEGER NOT NULL,
    dim         TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (org_unit_id, month, dim)
);
CREATE INDEX stats_rollup_month ON stats_rollup (month, dim);
