-- A license's write version (docs/architecture.md "Coherence"): raised with every change that
-- bears on what the license's counter objects decide with, in the batch that tells them of it.
-- A counter object keeps its snapshot in its own storage and takes a snapshot read elsewhere (a
-- seed) only if it carries at least the version of the last change it was told of, so a snapshot
-- read before a change can never replace one read after it.
ALTER TABLE licenses ADD COLUMN write_version INTEGER NOT NULL DEFAULT 0;
