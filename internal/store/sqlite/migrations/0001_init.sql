-- Initial schema. Times are UTC text in a fixed-width format
-- (2006-01-02T15:04:05.000000Z) so that they compare and sort as text.

CREATE TABLE node (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	code    TEXT NOT NULL,
	created TEXT NOT NULL
);

-- records holds what listings filter on for the latest version of each record;
-- its body is the row of record_versions at the same version, so that a body
-- is written once. rid is the rowid that the full-text index in search.db is
-- keyed by; id is the ULID everything else refers to.
CREATE TABLE records (
	rid        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	originator TEXT NOT NULL,
	version    INTEGER NOT NULL,
	status     TEXT NOT NULL,
	event_date TEXT NOT NULL,
	created    TEXT,
	updated    TEXT
);
CREATE INDEX records_kind ON records (kind, id);
CREATE INDEX records_originator ON records (originator, id);
CREATE INDEX records_event_date ON records (event_date);
CREATE INDEX records_status ON records (status);

-- record_versions keeps the canonical JSON of every version, the latest
-- included. Foreign keys to records are checked at commit because a batch
-- writes each table a chunk of rows at a time. It is a rowid table, with
-- (id, version) a unique index beside it, because bodies of a few KiB
-- appended in rowid order fill pages one after the other, where keyed by
-- (id, version) every few inserts would split a page and move its bodies.
CREATE TABLE record_versions (
	vid     INTEGER PRIMARY KEY,
	id      TEXT NOT NULL REFERENCES records (id) DEFERRABLE INITIALLY DEFERRED,
	version INTEGER NOT NULL,
	body    TEXT NOT NULL,
	UNIQUE (id, version)
);

-- record_categories lists the commodity categories of the latest version.
-- Listings walk records in id order and look their categories up by id,
-- so no index by category is kept.
CREATE TABLE record_categories (
	id       TEXT NOT NULL REFERENCES records (id) DEFERRABLE INITIALLY DEFERRED,
	category TEXT NOT NULL,
	PRIMARY KEY (id, category)
) WITHOUT ROWID;

-- record_changes counts the transactions that changed records. The full-text
-- index lives in its own file (search.db, derived data) and stores the count
-- it reflects, so that an index that missed a change, such as one cut off by
-- a crash between the two commits, is noticed and repaired.
CREATE TABLE record_changes (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL
);
INSERT INTO record_changes (id, seq) VALUES (1, 0);

-- record_updates logs the rowids of records given a new version, whatever
-- code path stored it, so that the index finds what changed since it was
-- last current without comparing every record (new records it finds above
-- the highest rowid it holds). Entries the index reflects are pruned at
-- start-up.
CREATE TABLE record_updates (
	id  INTEGER PRIMARY KEY,
	rid INTEGER NOT NULL
);
CREATE TRIGGER record_updates_log AFTER UPDATE OF version ON records
WHEN NEW.version <> OLD.version
BEGIN
	INSERT INTO record_updates (rid) VALUES (NEW.rid);
END;

CREATE TABLE users (
	name       TEXT PRIMARY KEY,
	role       TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created    TEXT NOT NULL,
	disabled   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit (
	seq    INTEGER PRIMARY KEY,
	time   TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev   TEXT NOT NULL,
	hash   TEXT NOT NULL
);
CREATE INDEX audit_time ON audit (time);

CREATE TABLE refdata (
	name   TEXT PRIMARY KEY,
	data   BLOB NOT NULL,
	loaded TEXT NOT NULL
);
