-- Federation receipts.

-- receipts lists, for every envelope the inbox accepted, what its receipt
-- says: the key that signed it, the relays it came through, the record
-- version it carried and the audit entry that records it. The signed
-- envelope itself is kept once, in its inbox row. Envelopes accepted before
-- this migration are listed by their audit entries only.
CREATE TABLE receipts (
	seq         bigserial PRIMARY KEY,
	envelope_id text NOT NULL,
	record_id   text NOT NULL DEFAULT '',
	version     integer NOT NULL DEFAULT 0,
	type        text NOT NULL,
	sender      text NOT NULL,
	key         text NOT NULL DEFAULT '',
	via         text NOT NULL DEFAULT '',
	received    timestamptz NOT NULL,
	audit_seq   bigint NOT NULL
);
CREATE INDEX receipts_record ON receipts (record_id, audit_seq);

-- answers keeps each signed answer that refused deliveries once, however
-- many rows of the request it refused; outbox rows point to it.
CREATE TABLE answers (
	id       bigserial PRIMARY KEY,
	peer     text NOT NULL,
	signed   text NOT NULL,
	received timestamptz NOT NULL
);
ALTER TABLE outbox ADD COLUMN refusal_answer bigint NOT NULL DEFAULT 0;

-- retry_at is when a peer found unreachable is tried again: until then
-- none of its rows is claimed, however many are due.
ALTER TABLE peers ADD COLUMN retry_at timestamptz NOT NULL DEFAULT '-infinity';
