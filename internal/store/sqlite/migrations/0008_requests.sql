-- The requests index: what the requests listing shows and filters on, so
-- that a page of requests reads only its rows instead of decoding every
-- request and response held.
--
-- request_index holds the latest version of each request for assistance,
-- request_responses the latest version of each response with the request
-- it answers. Both are derived from record_versions: the triggers below log
-- the id of every request or response stored or given a new version,
-- whatever code path stored it, and the store brings the index up to date
-- from the log before each listing (reading only the bodies logged).
CREATE TABLE request_index (
	id           TEXT PRIMARY KEY,
	version      INTEGER NOT NULL,
	originator   TEXT NOT NULL,
	requesting   TEXT NOT NULL,
	requested    TEXT NOT NULL,
	agreement    TEXT NOT NULL,
	subject      TEXT NOT NULL,
	deadline     TEXT NOT NULL, -- YYYY-MM-DD, '' for none
	acknowledged INTEGER NOT NULL,
	operation    TEXT NOT NULL, -- '' unless distributed to an operation
	active       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE request_responses (
	id      TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	request TEXT NOT NULL,
	outcome TEXT NOT NULL,
	active  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX request_responses_request ON request_responses (request, id);

CREATE TABLE request_log (
	seq INTEGER PRIMARY KEY,
	id  TEXT NOT NULL
);
CREATE TRIGGER request_log_insert AFTER INSERT ON records
WHEN NEW.kind IN ('request', 'response')
BEGIN
	INSERT INTO request_log (id) VALUES (NEW.id);
END;
CREATE TRIGGER request_log_update AFTER UPDATE OF version ON records
WHEN NEW.kind IN ('request', 'response') OR OLD.kind IN ('request', 'response')
BEGIN
	INSERT INTO request_log (id) VALUES (NEW.id);
END;

-- The requests and responses stored before the index existed.
INSERT INTO request_log (id) SELECT id FROM records WHERE kind IN ('request', 'response') ORDER BY rid;
