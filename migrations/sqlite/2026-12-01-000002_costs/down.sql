DROP TABLE cost_case_counts_group;
DROP TABLE cost_case_counts_unit;
DROP TABLE cost_rollup_group;
DROP TABLE cost_rollup_unit;
DROP TABLE insurance_claims;
DROP TABLE cost_entries;
