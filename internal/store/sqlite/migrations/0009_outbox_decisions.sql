-- decisions holds each distinct sharing decision that outbox rows were
-- written under, once, keyed by the SHA-256 of its JSON. Rows shared under
-- one decision (a batch of records sent to one peer under one arrangement)
-- name it by decision_id instead of each carrying the same kilobyte or two
-- of JSON, which claiming and finishing a delivery rewrote with the row.
-- Rows written before keep theirs in decision; a row has one or the other.
CREATE TABLE decisions (
	id   INTEGER PRIMARY KEY,
	hash BLOB NOT NULL UNIQUE,
	json TEXT NOT NULL
);
ALTER TABLE outbox ADD COLUMN decision_id INTEGER REFERENCES decisions (id);

-- outbox_follow as before, copying the record.create row's decision
-- whichever way that row holds it.
DROP TRIGGER outbox_follow;
CREATE TRIGGER outbox_follow AFTER UPDATE OF version ON records
WHEN NEW.version > OLD.version
BEGIN
	INSERT INTO outbox (peer, type, record_id, version, decision, decision_id, state, next_attempt, created)
	SELECT o.peer,
		CASE WHEN NEW.status = 'retracted' THEN 'record.retract' ELSE 'record.update' END,
		NEW.id, NEW.version,
		(SELECT d.decision FROM outbox d WHERE d.record_id = NEW.id AND d.peer = o.peer
			AND d.type = 'record.create' ORDER BY d.id DESC LIMIT 1),
		(SELECT d.decision_id FROM outbox d WHERE d.record_id = NEW.id AND d.peer = o.peer
			AND d.type = 'record.create' ORDER BY d.id DESC LIMIT 1),
		'queued',
		strftime('%Y-%m-%dT%H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000Z',
		strftime('%Y-%m-%dT%H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000Z'
	FROM (SELECT DISTINCT peer FROM outbox
		WHERE record_id = NEW.id AND type = 'record.create' AND state <> 'refused') AS o
	WHERE NOT EXISTS (SELECT 1 FROM outbox x WHERE x.record_id = NEW.id AND x.peer = o.peer
		AND x.type = 'record.retract');
END;
