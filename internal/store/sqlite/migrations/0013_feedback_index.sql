-- The feedback index: which feedback records answer which warning, so that
-- a warning's feedback is read without decoding every feedback record held.
-- It is kept as the requests index is (0008): the triggers on records now
-- log feedback records too, and the store brings both indexes up to date
-- from request_log before reading them.
CREATE TABLE feedback_index (
	id      TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	warning TEXT NOT NULL,
	active  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX feedback_index_warning ON feedback_index (warning, id);

DROP TRIGGER request_log_insert;
DROP TRIGGER request_log_update;
CREATE TRIGGER request_log_insert AFTER INSERT ON records
WHEN NEW.kind IN ('request', 'response', 'feedback')
BEGIN
	INSERT INTO request_log (id) VALUES (NEW.id);
END;
CREATE TRIGGER request_log_update AFTER UPDATE OF version ON records
WHEN NEW.kind IN ('request', 'response', 'feedback') OR OLD.kind IN ('request', 'response', 'feedback')
BEGIN
	INSERT INTO request_log (id) VALUES (NEW.id);
END;

-- The feedback stored before the index existed.
INSERT INTO request_log (id) SELECT id FROM records WHERE kind = 'feedback' ORDER BY rid;
