-- The agreement registry (the legal bases of exchange) and the originators'
-- consents to onward transmission. Bodies are the JSON encodings of
-- agreement.Agreement and agreement.Consent; only what rows are looked up or
-- ordered by is a column of its own. Ids use the "C" collation so that the
-- registry lists in byte order, as on SQLite.

CREATE TABLE agreements (
	id      text COLLATE "C" PRIMARY KEY,
	body    json NOT NULL,
	created timestamptz NOT NULL
);

-- consents keeps every consent recorded, in order (seq), for records this
-- node holds.
CREATE TABLE consents (
	seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	record_id text COLLATE "C" NOT NULL REFERENCES records (id),
	body      json NOT NULL,
	created   timestamptz NOT NULL
);
CREATE INDEX consents_record ON consents (record_id, seq);
