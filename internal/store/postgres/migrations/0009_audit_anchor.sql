-- The record bodies the audit log's entries vouch for.
--
-- The chain's anchor is audit_head (0001): the number and the hash of its
-- last entry, locked and moved by every append in the same transaction,
-- whichever replica appends. It has been kept since the first migration,
-- so it already stands where the chain ends, and verification now compares
-- the two.
--
-- An entry written with stored versions of a record names the record and
-- carries the SHA-256 of each version's body as stored ("VERSION:HEX;…",
-- see audit.FormatDigests), both within its hash. Entries written before
-- keep '' in both and hash as they did. record sorts in byte order, as
-- record ids do, so that verification walks the entries and the stored
-- versions side by side.
ALTER TABLE audit ADD COLUMN record text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN digests text NOT NULL DEFAULT '';
