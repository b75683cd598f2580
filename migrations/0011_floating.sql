-- Floating cloud licenses and floating features (docs/architecture.md "Floating pools"): what a
-- vendor sets. The pools themselves (which device holds a slot until when) live in the counter
-- objects, one pool per license and per license feature, not in D1.

-- A license's floating settings: is_floating_cloud makes every check_license take (or refresh) one
-- of floating_users slots for floating_timeout minutes; can_borrow lets a device hold its slot
-- offline for up to max_borrow_time hours (floating/borrow). Also what a license's floating
-- features may be borrowed for.
ALTER TABLE licenses ADD COLUMN is_floating_cloud INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN floating_users INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN floating_timeout INTEGER NOT NULL DEFAULT 120;
ALTER TABLE licenses ADD COLUMN can_borrow INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN max_borrow_time INTEGER NOT NULL DEFAULT 0;

-- A product feature's floating defaults: check_license_feature takes one of floating_users slots
-- for floating_timeout minutes.
ALTER TABLE product_features ADD COLUMN is_floating_cloud INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_features ADD COLUMN floating_users INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_features ADD COLUMN floating_timeout INTEGER NOT NULL DEFAULT 120;

-- A license feature's own floating values; NULL inherits the product feature's.
ALTER TABLE license_features ADD COLUMN is_floating_cloud INTEGER;
ALTER TABLE license_features ADD COLUMN floating_users INTEGER;
ALTER TABLE license_features ADD COLUMN floating_timeout INTEGER;
