DROP TABLE app_meta;
