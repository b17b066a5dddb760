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
	id           text COLLATE "C" PRIMARY KEY,
	version      integer NOT NULL,
	originator   text NOT NULL,
	requesting   text NOT NULL,
	requested    text NOT NULL,
	agreement    text NOT NULL,
	subject      text NOT NULL,
	deadline     text COLLATE "C" NOT NULL, -- YYYY-MM-DD, '' for none
	acknowledged boolean NOT NULL,
	operation    text NOT NULL, -- '' unless distributed to an operation
	active       boolean NOT NULL
);

CREATE TABLE request_responses (
	id      text COLLATE "C" PRIMARY KEY,
	version integer NOT NULL,
	request text COLLATE "C" NOT NULL,
	outcome text NOT NULL,
	active  boolean NOT NULL
);
CREATE INDEX request_responses_request ON request_responses (request, id);

CREATE TABLE request_log (
	seq bigserial PRIMARY KEY,
	id  text NOT NULL
);
CREATE FUNCTION request_log_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO request_log (id) VALUES (NEW.id);
	RETURN NULL;
END
$$;
CREATE TRIGGER request_log_insert AFTER INSERT ON records FOR EACH ROW
WHEN (NEW.kind IN ('request', 'response')) EXECUTE FUNCTION request_log_add();
CREATE TRIGGER request_log_update AFTER UPDATE OF version ON records FOR EACH ROW
WHEN (NEW.kind IN ('request', 'response') OR OLD.kind IN ('request', 'response')) EXECUTE FUNCTION request_log_add();

-- The requests and responses stored before the index existed.
INSERT INTO request_log (id) SELECT id FROM records WHERE kind IN ('request', 'response') ORDER BY id;
