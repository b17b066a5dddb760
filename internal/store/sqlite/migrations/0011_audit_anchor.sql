-- The audit log's anchor, and the record bodies its entries vouch for.
--
-- audit_head holds the number and the hash of the chain's last entry (in a
-- chain numbered from 1 without gaps, the number is how many entries it
-- has), as PostgreSQL's table of that name does. Every append reads the
-- head from it and moves it in the same transaction, so that entries
-- deleted from the end of the log are found missing by verification, and
-- entries appended after such a deletion leave a gap rather than hide it.
-- It starts where the chain ends today; an empty log is anchored at entry
-- 0 and the genesis hash.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
SELECT 1, coalesce(max(seq), 0),
	coalesce((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1),
		'0000000000000000000000000000000000000000000000000000000000000000')
FROM audit;

-- An entry written with stored versions of a record names the record and
-- carries the SHA-256 of each version's body as stored ("VERSION:HEX;…",
-- see audit.FormatDigests), both within its hash. Entries written before
-- keep '' in both and hash as they did.
ALTER TABLE audit ADD COLUMN record TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN digests TEXT NOT NULL DEFAULT '';
