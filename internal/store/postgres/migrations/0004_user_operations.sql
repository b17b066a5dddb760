-- Users may be members of operations. A record distributed to an operation
-- (distribution scope "operation") is shown only to the operation's members
-- and to administrators.
ALTER TABLE users ADD COLUMN operations text[] NOT NULL DEFAULT '{}';
