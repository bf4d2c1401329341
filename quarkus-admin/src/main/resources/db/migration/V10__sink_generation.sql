-- The last generation seen of each sink's target (see io.sluice.sink.GenerationWatch): a different one at the next
-- check means the target lost its data, and the sources writing to it are verified and repaired against it.
ALTER TABLE sink ADD COLUMN generation VARCHAR(64);
