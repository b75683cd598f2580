-- Every id the API answers is exact in JSON: at most 2^53 - 1 (docs/management-api.md "Ids").
-- Imports keep LicenseSpring's license ids, and a license issued here takes the next id after the
-- largest, so a license id past 2^53 - 1 would be answered rounded, as another license's id. The
-- trigger refuses such a license: the write fails (issuing answers conflict) and nothing is written.
CREATE TRIGGER licenses_id_exact_in_json AFTER INSERT ON licenses
WHEN NEW.id > 9007199254740991
BEGIN
  SELECT RAISE(ABORT, 'license ids exhausted: a license id must be at most 2^53 - 1');
END;
