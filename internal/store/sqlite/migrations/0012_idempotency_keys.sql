-- Idempotency keys of record creation. A client that sends
-- POST /api/v1/records with an Idempotency-Key header, and sends it again
-- (say after a timeout), is answered with the record the first request
-- created rather than creating a second one. A key belongs to the user
-- (actor) who sent it; body_hash tells the same request sent again from
-- another one under the same key. The key is written in the transaction
-- that stores the record, and the primary key decides between two requests
-- under the same key. A key counts for 24 hours; each keyed creation
-- deletes a few older ones (created is indexed for that), so the table
-- holds about a day's keys.
CREATE TABLE idempotency_keys (
	actor     TEXT NOT NULL,
	idem_key  TEXT NOT NULL,
	body_hash TEXT NOT NULL,
	record_id TEXT NOT NULL,
	created   TEXT NOT NULL,
	PRIMARY KEY (actor, idem_key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
