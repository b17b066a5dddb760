-- Federation: the node's identity keys, its pinned peers, the outbox of
-- deliveries and the inbox of envelope ids received.

-- node_keys holds every identity key the node has had; exactly one is
-- current (the signing key); older ones are kept to verify what they signed.
CREATE TABLE node_keys (
	fingerprint TEXT NOT NULL PRIMARY KEY,
	private     TEXT NOT NULL,
	public      TEXT NOT NULL,
	created     TEXT NOT NULL,
	retired     TEXT,
	current     INTEGER NOT NULL DEFAULT 0,
	rotation    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- peers are the nodes this node exchanges with, pinned by key fingerprint.
-- lease_owner/lease_until give one delivery worker at a time the right to
-- send to the peer, so that its envelopes leave in order and once.
CREATE TABLE peers (
	code         TEXT NOT NULL PRIMARY KEY,
	url          TEXT NOT NULL,
	public_key   TEXT NOT NULL,
	fingerprint  TEXT NOT NULL,
	state        TEXT NOT NULL,
	added        TEXT NOT NULL,
	last_contact TEXT,
	last_error   TEXT NOT NULL DEFAULT '',
	lease_owner  TEXT NOT NULL DEFAULT '',
	lease_until  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- outbox holds one row per envelope per peer, unsigned: the worker signs at
-- send time. envelope_id is NULL only for rows the trigger below enqueued,
-- until a worker first claims them.
CREATE TABLE outbox (
	id             INTEGER PRIMARY KEY,
	envelope_id    TEXT UNIQUE,
	peer           TEXT NOT NULL,
	type           TEXT NOT NULL,
	record_id      TEXT NOT NULL DEFAULT '',
	version        INTEGER NOT NULL DEFAULT 0,
	payload        TEXT NOT NULL DEFAULT '',
	decision       TEXT NOT NULL DEFAULT '',
	sign_key       TEXT NOT NULL DEFAULT '',
	state          TEXT NOT NULL,
	attempts       INTEGER NOT NULL DEFAULT 0,
	last_error     TEXT NOT NULL DEFAULT '',
	next_attempt   TEXT NOT NULL,
	created        TEXT NOT NULL,
	delivered_at   TEXT,
	refusal_reason TEXT NOT NULL DEFAULT '',
	refusal_signed TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (peer, state, id);
CREATE INDEX outbox_record ON outbox (record_id, id);

-- inbox remembers every envelope id received, so that a repeated delivery
-- is answered "duplicate" and stored once.
CREATE TABLE inbox (
	envelope_id TEXT NOT NULL PRIMARY KEY,
	sender      TEXT NOT NULL,
	type        TEXT NOT NULL,
	record_id   TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 0,
	signed      TEXT NOT NULL,
	received    TEXT NOT NULL
) WITHOUT ROWID;

-- A new version of a record that was shared is announced to every peer
-- that was sent it (and did not refuse it), in the same transaction as the
-- new version, whichever code path stored it: record.retract when the new
-- version retracts the record, record.update otherwise. The decision that
-- allowed the first delivery goes with it.
CREATE TRIGGER outbox_follow AFTER UPDATE OF version ON records
WHEN NEW.version > OLD.version
BEGIN
	INSERT INTO outbox (peer, type, record_id, version, decision, state, next_attempt, created)
	SELECT o.peer,
		CASE WHEN NEW.status = 'retracted' THEN 'record.retract' ELSE 'record.update' END,
		NEW.id, NEW.version,
		(SELECT d.decision FROM outbox d WHERE d.record_id = NEW.id AND d.peer = o.peer
			AND d.type = 'record.create' ORDER BY d.id DESC LIMIT 1),
		'queued',
		strftime('%Y-%m-%dT%H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000Z',
		strftime('%Y-%m-%dT%H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000Z'
	FROM (SELECT DISTINCT peer FROM outbox
		WHERE record_id = NEW.id AND type = 'record.create' AND state <> 'refused') AS o
	WHERE NOT EXISTS (SELECT 1 FROM outbox x WHERE x.record_id = NEW.id AND x.peer = o.peer
		AND x.type = 'record.retract');
END;
