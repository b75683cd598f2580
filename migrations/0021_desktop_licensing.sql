-- What desktop applications use besides consumption (docs/protocol.md "Trials", "Offline activation",
-- "Transfers", "Entitlement dates and policies"): products that hand out trial licenses, and the
-- license fields LicenseSpring's SDKs read and the server enforces where it can.

-- A product's trials: trial_key issues a trial license (is_trial, trial_days) on these terms
-- (trial_license: a JSON object of license terms, features and caps included) when allow_trial;
-- one per device unless allow_multiple_trials.
ALTER TABLE products ADD COLUMN allow_trial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN trial_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN allow_multiple_trials INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN trial_license TEXT NOT NULL DEFAULT '{}';

-- The device (and, on user-based products, the e-mail) a one-per-device trial was issued to, as a
-- JSON array [hardware_id, email or null]: unique per product, so concurrent trial_key calls from
-- one device issue one trial. NULL on every other license.
ALTER TABLE licenses ADD COLUMN trial_device TEXT;
CREATE UNIQUE INDEX licenses_one_trial_per_device ON licenses (product_id, trial_device) WHERE trial_device IS NOT NULL;

-- Entitlement dates and policies. start_date: no activation before it; maintenance_period: the end
-- of the maintenance the SDK reports (client-side); prevent_vm: no activation that says it runs in a
-- virtual machine; a grace period of grace_period hours after validity_period when allow_grace_period;
-- allow_offline_activation: activate_offline may activate the license (LicenseSpring's default: yes).
ALTER TABLE licenses ADD COLUMN start_date TEXT;
ALTER TABLE licenses ADD COLUMN maintenance_period TEXT;
ALTER TABLE licenses ADD COLUMN prevent_vm INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN allow_grace_period INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN grace_period INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN allow_offline_activation INTEGER NOT NULL DEFAULT 1;

-- Device transfers: a license deactivated on a device and then activated on another device is
-- transferred once (LicenseSpring's definition). max_transfers: 0 no limit, -1 no transfer at all,
-- N at most N. A deactivated device keeps transfer_pending = 1 until an activation takes its seat:
-- its own (no transfer) or another device's (a transfer). The triggers below count it, inside the
-- very statement that activates, so concurrent activations count exactly.
ALTER TABLE licenses ADD COLUMN max_transfers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN transfer_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN transfer_pending INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER devices_deactivated AFTER UPDATE OF active ON devices
WHEN OLD.active = 1 AND NEW.active = 0
BEGIN
  UPDATE devices SET transfer_pending = 1 WHERE id = NEW.id;
END;

CREATE TRIGGER devices_reactivated AFTER UPDATE OF active ON devices
WHEN OLD.active = 0 AND NEW.active = 1
BEGIN
  UPDATE licenses SET transfer_count = transfer_count + 1
  WHERE id = NEW.license_id AND OLD.transfer_pending = 0
    AND EXISTS (SELECT 1 FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1 AND id != NEW.id);
  UPDATE devices SET transfer_pending = 0
  WHERE id = CASE WHEN OLD.transfer_pending = 1 THEN NEW.id
                  ELSE (SELECT id FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1 AND id != NEW.id ORDER BY id LIMIT 1) END;
END;

CREATE TRIGGER devices_activated AFTER INSERT ON devices
WHEN NEW.active = 1
BEGIN
  UPDATE licenses SET transfer_count = transfer_count + 1
  WHERE id = NEW.license_id AND EXISTS (SELECT 1 FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1);
  UPDATE devices SET transfer_pending = 0
  WHERE id = (SELECT id FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1 ORDER BY id LIMIT 1);
END;
