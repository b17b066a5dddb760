-- Federation: the node's identity keys (shared by every replica), its
-- pinned peers, the outbox of deliveries and the inbox of envelope ids
-- received.

CREATE TABLE node_keys (
	fingerprint text PRIMARY KEY,
	private     text NOT NULL,
	public      text NOT NULL,
	created     timestamptz NOT NULL,
	retired     timestamptz,
	current     boolean NOT NULL DEFAULT false,
	rotation    text NOT NULL DEFAULT ''
);

-- lease_owner/lease_until give one delivery worker (of any replica) at a
-- time the right to send to the peer, so that its envelopes leave in order
-- and once; a crashed replica's lease runs out and another takes over.
CREATE TABLE peers (
	code         text COLLATE "C" PRIMARY KEY,
	url          text NOT NULL,
	public_key   text NOT NULL,
	fingerprint  text NOT NULL,
	state        text NOT NULL,
	added        timestamptz NOT NULL,
	last_contact timestamptz,
	last_error   text NOT NULL DEFAULT '',
	lease_owner  text NOT NULL DEFAULT '',
	lease_until  timestamptz NOT NULL DEFAULT '-infinity'
);

CREATE TABLE outbox (
	id             bigserial PRIMARY KEY,
	envelope_id    text UNIQUE,
	peer           text COLLATE "C" NOT NULL,
	type           text NOT NULL,
	record_id      text COLLATE "C" NOT NULL DEFAULT '',
	version        integer NOT NULL DEFAULT 0,
	payload        text NOT NULL DEFAULT '',
	decision       text NOT NULL DEFAULT '',
	sign_key       text NOT NULL DEFAULT '',
	state          text NOT NULL,
	attempts       integer NOT NULL DEFAULT 0,
	last_error     text NOT NULL DEFAULT '',
	next_attempt   timestamptz NOT NULL,
	created        timestamptz NOT NULL,
	delivered_at   timestamptz,
	refusal_reason text NOT NULL DEFAULT '',
	refusal_signed text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (peer, state, id);
CREATE INDEX outbox_record ON outbox (record_id, id);

CREATE TABLE inbox (
	envelope_id text PRIMARY KEY,
	sender      text NOT NULL,
	type        text NOT NULL,
	record_id   text NOT NULL DEFAULT '',
	version     integer NOT NULL DEFAULT 0,
	signed      text NOT NULL,
	received    timestamptz NOT NULL
);

-- A new version of a record that was shared is announced to every peer
-- that was sent it (and did not refuse it), in the same transaction as the
-- new version, whichever code path stored it.
CREATE FUNCTION outbox_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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

CREATE TRIGGER outbox_follow AFTER UPDATE OF version ON records
FOR EACH ROW WHEN (NEW.version > OLD.version) EXECUTE FUNCTION outbox_follow();
