-- Cross-matching's links and watermark move to a file of their own
-- (links.db, see the package documentation), written by a connection of
-- their own so that storing links never holds this database's writer. They
-- are derived data: the new file starts empty, and its empty watermark has
-- every record matched again when the node next starts.
DROP TABLE match_links;
DROP TABLE match_state;
