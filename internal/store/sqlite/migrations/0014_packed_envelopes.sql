-- Packed envelopes in the inbox.
--
-- inbox.signed may now hold an envelope packed as a BLOB (its header and
-- signature as they came, its payload's JSON compressed; see signed.go),
-- beside the texts written before. Nothing is rewritten: readers unpack
-- what needs it. The migration is recorded so that a program older than
-- the packing, which would read a packed envelope as its text, refuses the
-- database rather than hand such an envelope out.
SELECT 1;
