-- Cross-matching: links between records and excluded values.

-- match_links holds the links matching found: an entity of record a (found
-- when a was matched) and an entity of record b. Each side's audience is
-- kept as the matching service encoded it, so that links are filtered by
-- visibility without reading the records. The entities themselves are not
-- copied: a_path and b_path locate them in the records. reasons is JSON.
CREATE TABLE match_links (
	a          text COLLATE "C" NOT NULL,
	a_path     text COLLATE "C" NOT NULL,
	b          text COLLATE "C" NOT NULL,
	b_path     text COLLATE "C" NOT NULL,
	a_audience text NOT NULL,
	b_audience text NOT NULL,
	score      double precision NOT NULL,
	reasons    jsonb NOT NULL,
	created    timestamptz NOT NULL,
	PRIMARY KEY (a, a_path, b, b_path)
);
CREATE INDEX match_links_b ON match_links (b);

-- match_state is the watermark of matching: the version of each record
-- whose links are stored. seq is taken from match_seq for every mark
-- written, so that a replica finds what others matched since it looked.
CREATE SEQUENCE match_seq;
CREATE TABLE match_state (
	id      text COLLATE "C" PRIMARY KEY,
	version integer NOT NULL,
	seq     bigint NOT NULL
);
CREATE INDEX match_state_seq ON match_state (seq);

-- match_exclusions are values administrators excluded from matching.
CREATE TABLE match_exclusions (
	id      bigserial PRIMARY KEY,
	type    text NOT NULL,
	value   text NOT NULL,
	reason  text NOT NULL,
	actor   text NOT NULL,
	created timestamptz NOT NULL,
	UNIQUE (type, value)
);
