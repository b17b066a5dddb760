-- Users may be members of operations. A record distributed to an operation
-- (distribution scope "operation") is shown only to the operation's members
-- and to administrators. operations is a comma-separated list of operation
-- ids, empty for none.
ALTER TABLE users ADD COLUMN operations TEXT NOT NULL DEFAULT '';
