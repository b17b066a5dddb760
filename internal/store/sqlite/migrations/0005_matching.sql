-- Cross-matching: links between records and excluded values.

-- match_links holds the links matching found: an entity of record a (found
-- when a was matched) and an entity of record b. Each side's audience is
-- kept as the matching service encoded it, so that links are filtered by
-- visibility without reading the records. The entities themselves are not
-- copied: a_path and b_path locate them in the records, which keeps a link
-- to a few dozen bytes (a correlation table that copies attribute values
-- grows with the square of a popular value). reasons is JSON.
CREATE TABLE match_links (
	a          TEXT NOT NULL,
	a_path     TEXT NOT NULL,
	b          TEXT NOT NULL,
	b_path     TEXT NOT NULL,
	a_audience TEXT NOT NULL,
	b_audience TEXT NOT NULL,
	score      REAL NOT NULL,
	reasons    TEXT NOT NULL,
	created    TEXT NOT NULL,
	PRIMARY KEY (a, a_path, b, b_path)
) WITHOUT ROWID;
CREATE INDEX match_links_b ON match_links (b);

-- match_state is the watermark of matching: the version of each record
-- whose links are stored. seq grows with every mark written, so that a
-- process sharing the database finds what others matched since it looked.
CREATE TABLE match_state (
	id      TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	seq     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX match_state_seq ON match_state (seq);

-- match_exclusions are values administrators excluded from matching.
CREATE TABLE match_exclusions (
	id      INTEGER PRIMARY KEY,
	type    TEXT NOT NULL,
	value   TEXT NOT NULL,
	reason  TEXT NOT NULL,
	actor   TEXT NOT NULL,
	created TEXT NOT NULL,
	UNIQUE (type, value)
);
