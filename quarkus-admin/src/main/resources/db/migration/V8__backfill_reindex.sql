-- A backfill may rebuild a search index: it fills a new index and swaps it in behind the old name.
ALTER TABLE backfill ADD COLUMN reindex BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE backfill ADD COLUMN new_index VARCHAR(255);
