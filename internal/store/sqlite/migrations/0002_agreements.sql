-- The agreement registry (the legal bases of exchange) and the originators'
-- consents to onward transmission. Bodies are the JSON encodings of
-- agreement.Agreement and agreement.Consent; only what rows are looked up or
-- ordered by is a column of its own.

CREATE TABLE agreements (
	id      TEXT NOT NULL PRIMARY KEY,
	body    TEXT NOT NULL,
	created TEXT NOT NULL
) WITHOUT ROWID;

-- consents keeps every consent recorded, in order (seq), for records this
-- node holds.
CREATE TABLE consents (
	seq       INTEGER PRIMARY KEY,
	record_id TEXT NOT NULL REFERENCES records (id),
	body      TEXT NOT NULL,
	created   TEXT NOT NULL
);
CREATE INDEX consents_record ON consents (record_id, seq);
