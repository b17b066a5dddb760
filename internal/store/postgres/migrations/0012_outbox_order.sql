-- Outbox ids in commit order. GET /api/v1/deliveries pages the outbox by id:
-- a row whose id was taken before a later row's but committed after it
-- would come behind a cursor that had passed it already, and never be
-- listed. A transaction now takes an outbox id only while holding the lock
-- on the audit chain's head (the audit_head row, FOR UPDATE), which it
-- keeps until it ends, so the rows are committed in the order of their ids.
-- Every transaction that queues deliveries appends to the audit log and
-- takes that lock anyway; taking it earlier adds no other lock, so no new
-- order between locks to deadlock on. The store takes it before its own
-- inserts; outbox_follow, as before (0008) otherwise, takes it before the
-- rows it queues for a new version of a shared record, and only then.
CREATE OR REPLACE FUNCTION outbox_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status = 'retracted' THEN
		UPDATE outbox SET state = 'refused',
			refusal_reason = 'withdrawn: the originator retracted the record before it was sent',
			last_error = 'withdrawn: the originator retracted the record before it was sent'
		WHERE record_id = NEW.id AND version < NEW.version AND type IN ('record.create', 'record.update', 'relay')
			AND state IN ('queued', 'failed')
			AND NOT EXISTS (SELECT 1 FROM peers p WHERE p.code = outbox.peer AND p.lease_until >= clock_timestamp());
	END IF;
	IF NOT EXISTS (SELECT 1 FROM outbox WHERE record_id = NEW.id AND type = 'record.create' AND state <> 'refused') THEN
		RETURN NULL;
	END IF;
	PERFORM 1 FROM audit_head WHERE id = 1 FOR UPDATE;
	INSERT INTO outbox (peer, type, record_id, version, decision, state, next_attempt, created)
	SELECT o.peer,
		CASE WHEN NEW.status = 'retracted' THEN 'record.retract' ELSE 'record.update' END,
		NEW.id, NEW.version,
		coalesce((SELECT d.decision FROM outbox d WHERE d.record_id = NEW.id AND d.peer = o.peer
			AND d.type = 'record.create' ORDER BY d.id DESC LIMIT 1), ''),
		'queued', clock_timestamp(), clock_timestamp()
	FROM (SELECT DISTINCT peer FROM outbox
		WHERE record_id = NEW.id AND type = 'record.create' AND state <> 'refused') AS o
	WHERE NOT EXISTS (SELECT 1 FROM outbox x WHERE x.record_id = NEW.id AND x.peer = o.peer
		AND x.type = 'record.retract');
	RETURN NULL;
END $$;
