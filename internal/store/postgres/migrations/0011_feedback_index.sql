-- The feedback index: which feedback records answer which warning, so that
-- a warning's feedback is read without decoding every feedback record held.
-- It is kept as the requests index is (0007): the triggers on records now
-- log feedback records too, and the store brings both indexes up to date
-- from request_log before reading them.
CREATE TABLE feedback_index (
	id      text COLLATE "C" PRIMARY KEY,
	version integer NOT NULL,
	warning text COLLATE "C" NOT NULL,
	active  boolean NOT NULL
);
CREATE INDEX feedback_index_warning ON feedback_index (warning, id);

DROP TRIGGER request_log_insert ON records;
DROP TRIGGER request_log_update ON records;
CREATE TRIGGER request_log_insert AFTER INSERT ON records FOR EACH ROW
WHEN (NEW.kind IN ('request', 'response', 'feedback')) EXECUTE FUNCTION request_log_add();
CREATE TRIGGER request_log_update AFTER UPDATE OF version ON records FOR EACH ROW
WHEN (NEW.kind IN ('request', 'response', 'feedback') OR OLD.kind IN ('request', 'response', 'feedback'))
EXECUTE FUNCTION request_log_add();

-- The feedback stored before the index existed.
INSERT INTO request_log (id) SELECT id FROM records WHERE kind = 'feedback' ORDER BY id;
