-- thingspace-m2m: the table createPostgresDedupeStore (thingspace-m2m/callbacks/postgres) keeps
-- the callbacks it has handled in. Run it once per database, with your migration tool or with
-- `await store.migrate()`; it is safe to run again. The table lives in the first schema of the
-- connection's search_path.
CREATE TABLE IF NOT EXISTS thingspace_callback_dedupe (
  -- SHA-256 (base64url) of the callback's dedupe key: requestId, device and kind.
  key_digest text PRIMARY KEY,
  -- 'held' while a receiver handles the callback (lease mode), 'completed' once it was handled.
  state text NOT NULL CHECK (state IN ('held', 'completed')),
  -- The holder's token while held; only that holder may complete or release the claim.
  owner uuid,
  -- Held: when the lease lapses and a redelivery may take over. Completed: when it is forgotten.
  expires_at timestamptz NOT NULL,
  -- A copy is waiting for this held key: settling it sends NOTIFY thingspace_callback_dedupe.
  waited boolean NOT NULL DEFAULT false
);
-- For deleting expired rows (store.deleteExpired()).
CREATE INDEX IF NOT EXISTS thingspace_callback_dedupe_expires_at ON thingspace_callback_dedupe (expires_at);
