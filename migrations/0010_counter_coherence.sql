-- One hop at the edge (docs/architecture.md "Coherence"): the counter objects keep what they decide
-- with in memory, so D1 records what lets them know when that changed.

-- Bumped with every change to a product's feature defaults. Workers carry the version they know
-- to the counter objects, which reload when it is newer than theirs.
ALTER TABLE products ADD COLUMN defaults_version INTEGER NOT NULL DEFAULT 0;

-- The D1 mirror of each total, with the counter object's sequence number of the audit row it comes
-- from: audit batches may arrive out of order, and an older total must never overwrite a newer one.
ALTER TABLE license_features ADD COLUMN total_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN total_version INTEGER NOT NULL DEFAULT 0;
