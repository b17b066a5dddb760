-- A record retracted is not sent where it has not been sent yet:
-- outbox_follow first withdraws its creations and updates, and a relay's
-- relays of its earlier versions, still waiting for a peer that no
-- delivery worker holds at the moment (refused, with the
-- reason below, never sent, and not to be retried), then queues the
-- retraction for every peer that was sent the record or may be being sent
-- it, as before. A peer a worker holds may be receiving the record right
-- now: its rows are left to the answer, and the retraction follows them.
DROP TRIGGER outbox_follow;
CREATE TRIGGER outbox_follow AFTER UPDATE OF version ON records
WHEN NEW.version > OLD.version
BEGIN
	UPDATE outbox SET state = 'refused',
		refusal_reason = 'withdrawn: the originator retracted the record before it was sent',
		last_error = 'withdrawn: the originator retracted the record before it was sent'
	WHERE NEW.status = 'retracted' AND record_id = NEW.id AND version < NEW.version
		AND type IN ('record.create', 'record.update', 'relay')
		AND state IN ('queued', 'failed')
		AND NOT EXISTS (SELECT 1 FROM peers p WHERE p.code = outbox.peer
			AND p.lease_until >= strftime('%Y-%m-%dT%H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000Z');
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
