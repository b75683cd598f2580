/**
 * Imports License API keys with the api key and shared key clients already have, so clients keep
 * signing requests as they did. A key already here is left as it is (imports create, they never
 * update: its read-only state, company and products are changed through /api/v1/api-keys); one
 * whose stored shared key differs is a bad row, since clients holding the imported shared key
 * would fail with signature_mismatch.
 */
import type { ManagementActor } from "../../auth/management-roles";
import { findApiKeys, insertApiKeysStatements, type ApiKeyInsertRow } from "../../db/api-keys";
import { productCompanies } from "../../db/products";
import type { NumberedRow } from "../../http/read-import-body";
import type { ImportApiKeyRow } from "../../models/import-rows";
import { RowErrors, commitImport, rejectRepeats } from "./row-errors";

export interface ImportedApiKey {
  row: number;
  id: number;
  api_key: string;
}

export async function importApiKeys(env: Env, actor: ManagementActor, rows: Array<NumberedRow<ImportApiKeyRow>>, errors: RowErrors) {
  rejectRepeats(rows, (key) => key.api_key, "api_key", errors);

  const productIds = [...new Set(rows.flatMap(({ value }) => value.product_ids ?? []))];
  const [stored, companies] = await Promise.all([
    findApiKeys(
      env.DB,
      rows.map(({ value }) => value.api_key),
    ),
    productCompanies(env.DB, productIds),
  ]);
  const storedByKey = new Map(stored.map((key) => [key.api_key, key]));
  const companyOf = new Map(companies.map((product) => [product.id, product.company_id]));

  const fresh: ApiKeyInsertRow[] = [];
  for (const { row, value } of rows) {
    if (errors.has(row)) continue;
    const existing = storedByKey.get(value.api_key);
    if (existing) {
      if (existing.shared_key !== value.shared_key) {
        errors.add(row, "shared_key", "this api_key is already here with another shared_key; the stored key is left as it is");
      }
      continue;
    }
    const outside = (value.product_ids ?? []).filter((id) => companyOf.get(id) !== value.company_id);
    if (outside.length > 0) {
      const verb = outside.length === 1 ? "is not a product" : "are not products";
      errors.add(row, "product_ids", `${outside.join(", ")} ${verb} of company ${value.company_id}`);
      continue;
    }
    fresh.push({ ...value, product_ids: value.product_ids ?? [] });
  }
  errors.throwIfAny();

  await commitImport(env.DB, insertApiKeysStatements(env.DB, fresh), {
    actor,
    action: "import.api_keys",
    after: { rows: rows.length, api_keys_created: fresh.map((key) => key.api_key) },
  });
  // A new key is found by the License API at once: isolates remember only keys they found.
  const ids = new Map(
    (
      await findApiKeys(
        env.DB,
        rows.map(({ value }) => value.api_key),
      )
    ).map((key) => [key.api_key, key.id]),
  );
  return {
    kind: "api_keys" as const,
    rows: rows.length,
    results: rows.map(({ row, value }): ImportedApiKey => ({ row, id: ids.get(value.api_key)!, api_key: value.api_key })),
  };
}
