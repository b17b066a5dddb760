-- Initial schema. Identifiers and codes that are compared by range or
-- ordered for paging use the "C" collation: byte order, whatever the
-- database's locale.

CREATE TABLE node (
	id      integer PRIMARY KEY CHECK (id = 1),
	code    text NOT NULL,
	created timestamptz NOT NULL
);

-- records holds what listings filter on for the latest version of each
-- record; its body is the row of record_versions at the same version, so that
-- a body is written once. search is the full-text vector of the latest
-- version's intel.SearchText.
CREATE TABLE records (
	id         text COLLATE "C" PRIMARY KEY,
	kind       text NOT NULL,
	originator text NOT NULL,
	version    integer NOT NULL,
	status     text NOT NULL,
	event_date text COLLATE "C" NOT NULL,
	created    timestamptz,
	updated    timestamptz,
	search     tsvector NOT NULL
);
CREATE INDEX records_kind ON records (kind, id);
CREATE INDEX records_originator ON records (originator, id);
CREATE INDEX records_event_date ON records (event_date);
CREATE INDEX records_status ON records (status);
CREATE INDEX records_search ON records USING gin (search);

-- record_versions keeps the canonical JSON of every version, the latest
-- included. json rather than jsonb: it keeps the bytes exactly as encoded
-- (the form that is signed and compared) and is cheaper to write.
CREATE TABLE record_versions (
	id      text COLLATE "C" NOT NULL REFERENCES records (id),
	version integer NOT NULL,
	body    json NOT NULL,
	PRIMARY KEY (id, version)
);

-- record_categories lists the commodity categories of the latest version.
CREATE TABLE record_categories (
	id       text COLLATE "C" NOT NULL REFERENCES records (id),
	category text COLLATE "C" NOT NULL,
	PRIMARY KEY (id, category)
);
CREATE INDEX record_categories_category ON record_categories (category, id);

CREATE TABLE users (
	name       text PRIMARY KEY,
	role       text NOT NULL,
	token_hash text NOT NULL UNIQUE,
	created    timestamptz NOT NULL,
	disabled   boolean NOT NULL DEFAULT false
);

CREATE TABLE audit (
	seq    bigint PRIMARY KEY,
	time   timestamptz NOT NULL,
	actor  text NOT NULL,
	action text NOT NULL,
	target text NOT NULL,
	detail text NOT NULL,
	prev   text NOT NULL,
	hash   text NOT NULL
);
CREATE INDEX audit_time ON audit (time);

-- audit_head is the last link of the chain. Appending locks its one row, so
-- that concurrent transactions, on this replica or another, append one after
-- the other and never fork the chain.
CREATE TABLE audit_head (
	id   integer PRIMARY KEY CHECK (id = 1),
	seq  bigint NOT NULL,
	hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE refdata (
	name   text PRIMARY KEY,
	data   bytea NOT NULL,
	loaded timestamptz NOT NULL
);
