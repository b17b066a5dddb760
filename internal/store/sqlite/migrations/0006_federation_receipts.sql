-- Federation receipts.

-- inbox becomes a rowid table with envelope_id a unique index beside it:
-- its rows carry the signed envelope (a few KiB), and appended in rowid
-- order they fill pages one after the other, where keyed by envelope id
-- every few inserts would split a page and move the envelopes.
CREATE TABLE inbox_rows (
	id          INTEGER PRIMARY KEY,
	envelope_id TEXT NOT NULL UNIQUE,
	sender      TEXT NOT NULL,
	type        TEXT NOT NULL,
	record_id   TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 0,
	signed      TEXT NOT NULL,
	received    TEXT NOT NULL
);
INSERT INTO inbox_rows (envelope_id, sender, type, record_id, version, signed, received)
	SELECT envelope_id, sender, type, record_id, version, signed, received FROM inbox ORDER BY received, envelope_id;
DROP TABLE inbox;
ALTER TABLE inbox_rows RENAME TO inbox;

-- receipts lists, for every envelope the inbox accepted, what its receipt
-- says: the key that signed it, the relays it came through, the record
-- version it carried and the audit entry that records it. The signed
-- envelope itself is kept once, in its inbox row. Envelopes accepted before
-- this migration are listed by their audit entries only.
CREATE TABLE receipts (
	seq         INTEGER PRIMARY KEY,
	envelope_id TEXT NOT NULL,
	record_id   TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 0,
	type        TEXT NOT NULL,
	sender      TEXT NOT NULL,
	key         TEXT NOT NULL DEFAULT '',
	via         TEXT NOT NULL DEFAULT '',
	received    TEXT NOT NULL,
	audit_seq   INTEGER NOT NULL
);
CREATE INDEX receipts_record ON receipts (record_id, seq);

-- answers keeps each signed answer that refused deliveries once, however
-- many rows of the request it refused; outbox rows point to it.
CREATE TABLE answers (
	id       INTEGER PRIMARY KEY,
	peer     TEXT NOT NULL,
	signed   TEXT NOT NULL,
	received TEXT NOT NULL
);
ALTER TABLE outbox ADD COLUMN refusal_answer INTEGER NOT NULL DEFAULT 0;

-- retry_at is when a peer found unreachable is tried again: until then
-- none of its rows is claimed, however many are due.
ALTER TABLE peers ADD COLUMN retry_at TEXT NOT NULL DEFAULT '';
