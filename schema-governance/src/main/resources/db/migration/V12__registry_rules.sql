-- A schema version's data contract, as Confluent's registry keeps it with the version: its rule set and its metadata,
-- each as the JSON the client sent (normalized), or NULL for none.
ALTER TABLE registry_version ADD COLUMN rule_set TEXT;
ALTER TABLE registry_version ADD COLUMN metadata TEXT;
