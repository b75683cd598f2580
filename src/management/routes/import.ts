/**
 * /api/v1/import/...: bulk imports for a vendor moving from LicenseSpring (docs/migration.md), in
 * this order: API keys, licenses, devices, totals. Each takes a JSON array of rows or NDJSON, at
 * most 500 rows and 2 MiB per call; every row is checked first and one bad row imports nothing
 * (validation_error, `errors` naming every bad row); a retry of the same rows changes nothing and
 * answers the same.
 */
import {
  ImportApiKeyRow,
  ImportApiKeysSummary,
  ImportDeviceRow,
  ImportDevicesSummary,
  ImportLicenseRow,
  ImportLicensesSummary,
  ImportTotalRow,
  ImportTotalsSummary,
} from "../../models/import-rows";
import { importApiKeys } from "../import/import-api-keys";
import { importDevices } from "../import/import-devices";
import { importLicenses } from "../import/import-licenses";
import { importTotals } from "../import/import-totals";
import { managementImportRoute } from "../management-route";

const IMPORT_RACE = "another write created some of the rows while they were checked; nothing was imported: send the same rows again";

export const managementImportRoutes = [
  managementImportRoute({
    path: "/api/v1/import/api-keys",
    operationId: "importApiKeys",
    errors: { conflict: IMPORT_RACE },
    summary: "Import License API keys with the api key and shared key clients already use",
    description:
      "A key already here is left as it is (a different stored shared_key is a bad row). product_ids must be products of company_id.",
    row: ImportApiKeyRow,
    response: ImportApiKeysSummary,
    handler: ({ rows, errors, env, actor }) => importApiKeys(env, actor, rows, errors),
  }),
  managementImportRoute({
    path: "/api/v1/import/licenses",
    operationId: "importLicenses",
    errors: { conflict: IMPORT_RACE },
    summary: "Import licenses (keeping their LicenseSpring ids and keys) with users, customer, feature values and custom fields",
    description:
      "Products, their features and custom fields must exist here first. A license already here (same id, product and key) is left " +
      "as it is, except that a user without a password gets the row's. Passwords are stored as PBKDF2 hashes, at most 100 per call.",
    row: ImportLicenseRow,
    response: ImportLicensesSummary,
    handler: ({ rows, errors, env, actor }) => importLicenses(env, actor, rows, errors),
  }),
  managementImportRoute({
    path: "/api/v1/import/devices",
    operationId: "importDevices",
    errors: { conflict: IMPORT_RACE },
    summary: "Import activated devices, so clients go on without activating again",
    description:
      "A device already here (same license and hardware id) is left as it is. Imported active devices may exceed max_activations.",
    row: ImportDeviceRow,
    response: ImportDevicesSummary,
    handler: ({ rows, errors, env, actor }) => importDevices(env, actor, rows, errors),
  }),
  managementImportRoute({
    path: "/api/v1/import/totals",
    operationId: "importTotals",
    summary: "Import current consumption totals into the counters (audited as import)",
    description:
      "Each row sets a license feature's total (feature) or a consumption license's own (no feature); the audit log records the " +
      "difference as one `import` row. Importing the total that the last import of that counter set again changes nothing.",
    row: ImportTotalRow,
    response: ImportTotalsSummary,
    handler: ({ rows, errors, env, actor }) => importTotals(env, actor, rows, errors),
  }),
];
