DROP TABLE stats_rollup;
ALTER TABLE org_units DROP COLUMN employees;
