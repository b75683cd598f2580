/**
 * Imports licenses as LicenseSpring has them: the same id (clients send it back as license_id),
 * the same key, its users, customer, feature values, custom field values and details. A license
 * already here (same id, same product and key) is left as it is: imports create, they never update
 * (change a license afterwards through /api/v1/licenses). The one exception is a password for a
 * user who has none yet. A row that names an id or a key already used otherwise is a bad row.
 *
 * Customers: a row's customer is the company's customer with that e-mail when there is one (left
 * as it is), else a new customer; rows of one call that name the same new e-mail share one customer,
 * with the values of the newest of those licenses (created_at). A customer without an e-mail is a
 * new customer of its license alone.
 */
import type { ManagementActor } from "../../auth/management-roles";
import { hashPassword } from "../../auth/password";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import {
  findLicenseIdentities,
  licenseWriteStatements,
  otherLicensesOfTheirUsers,
  usersWithoutPassword,
  type LicenseToWrite,
  type PasswordBackfill,
} from "../../db/license-writes";
import { customerInsertStatement, findCustomersByEmail, nextCustomerId } from "../../db/customers";
import { productsByShortCode, type ImportProduct } from "../../db/products";
import { ApiError } from "../../errors";
import type { NumberedRow } from "../../http/read-import-body";
import type { ImportLicenseRow } from "../../models/import-rows";
import { customerValues } from "../../models/customer";
import { floatingProblem } from "../../models/unworkable-settings";
import { RowErrors, commitImport, rejectRepeats } from "./row-errors";

/**
 * Passwords are stored as PBKDF2 hashes (100,000 iterations), the costliest work of an import: at
 * most this many are hashed per call, so that a call stays far below the Workers CPU limit.
 */
export const MAX_PASSWORDS_PER_CALL = 100;

export async function importLicenses(env: Env, actor: ManagementActor, rows: Array<NumberedRow<ImportLicenseRow>>, errors: RowErrors) {
  rejectRepeats(rows, (license) => String(license.id), "id", errors);
  rejectRepeats(
    rows.filter(({ value }) => value.license_key !== undefined),
    (license) => JSON.stringify([license.product, license.license_key]),
    "license_key",
    errors,
  );
  const products = await productsByShortCode(env.DB, [...new Set(rows.map(({ value }) => value.product))]);
  for (const { row, value } of rows) checkAgainstProduct(row, value, products.get(value.product), errors);

  // Which rows are already here, and which name an id or key that is already something else.
  const candidates = rows.filter(({ row }) => !errors.has(row));
  const stored = await findLicenseIdentities(
    env.DB,
    candidates.map(({ value }) => value.id),
    candidates.flatMap(({ value }) =>
      value.license_key === undefined ? [] : [[products.get(value.product)!.id, value.license_key] as const],
    ),
  );
  const fresh: Array<NumberedRow<ImportLicenseRow>> = [];
  const existing: Array<NumberedRow<ImportLicenseRow>> = [];
  for (const candidate of candidates) {
    const { row, value } = candidate;
    const product = products.get(value.product)!;
    const key = value.license_key ?? null;
    const byId = stored.find((license) => license.id === value.id);
    const byKey = key === null ? undefined : stored.find((license) => license.product_id === product.id && license.license_key === key);
    if (byId && (byId.product_id !== product.id || byId.license_key !== key)) {
      errors.add(row, "id", `license ${value.id} is already here, for another product or with another license_key`);
    } else if (!byId && byKey) {
      errors.add(
        row,
        "license_key",
        `this product already has this license_key here, as license ${byKey.id}: clients would send license_id ${value.id} and not find it`,
      );
    } else (byId ? existing : fresh).push(candidate);
  }
  errors.throwIfAny();

  const customers = await importedCustomers(env.DB, fresh, products);
  const writes = await licenseWrites(env.DB, fresh, existing, products, customers.ids);
  await commitImport(env.DB, [...customers.statements, ...licenseWriteStatements(env.DB, writes.licenses, writes.passwords)], {
    actor,
    action: "import.licenses",
    after: { rows: rows.length, licenses_created: fresh.map(({ value }) => value.id), customers_created: customers.statements.length },
  });

  // A new license may become the one its users get without a license_id (the newest): the counter
  // objects of their other licenses of the product forget what they knew before this answers. For
  // every row, not only new ones: an earlier call that wrote but failed before this is repaired by
  // sending the same rows again. New licenses themselves have no counter object that knows them.
  if (rows.some(({ value }) => value.users)) {
    await invalidateLicenseCounters(
      env,
      await otherLicensesOfTheirUsers(
        env.DB,
        rows.map(({ value }) => value.id),
      ),
    );
  }
  return { kind: "licenses" as const, rows: rows.length, results: rows.map(({ row, value }) => ({ row, id: value.id })) };
}

/** The row against its product: key or users as the product's licenses have them, known features and custom fields. */
function checkAgainstProduct(row: number, license: ImportLicenseRow, product: ImportProduct | undefined, errors: RowErrors): void {
  if (!product) {
    errors.add(
      row,
      "product",
      `no product has the short code ${JSON.stringify(license.product)} here: create it first (POST /api/v1/products)`,
    );
    return;
  }
  if (product.authorization_method === "license-key") {
    if (license.users) errors.add(row, "users", "this product's licenses are key-based: send license_key, not users");
    if (license.license_key === undefined)
      errors.add(row, "license_key", "this product's licenses are key-based: send the key clients have");
  } else {
    if (license.license_key !== undefined)
      errors.add(row, "license_key", "this product's licenses are user-based: send users, not license_key");
    if (!license.users) errors.add(row, "users", "this product's licenses are user-based: send at least one user");
  }
  const users = license.users ?? [];
  const seen = new Map<string, number>();
  users.forEach((user, index) => {
    const folded = user.username.toLowerCase();
    const earlier = seen.get(folded);
    if (earlier !== undefined) errors.add(row, `users.${index}.username`, `repeats users.${earlier}.username`);
    else seen.set(folded, index);
  });
  if (license.max_license_users > 0 && users.length > license.max_license_users) {
    errors.add(row, "max_license_users", `the license has ${users.length} users, more than ${license.max_license_users}`);
  }
  for (const [code, overrides] of Object.entries(license.features)) {
    const feature = product.features.find((candidate) => candidate.code === code);
    if (!feature) {
      errors.add(row, `features.${code}`, `the product has no feature ${JSON.stringify(code)} (create it first)`);
      continue;
    }
    // The feature's floating values as they will be: its own where set, else the product feature's.
    const problem = floatingProblem({
      is_floating_cloud: overrides.is_floating_cloud ?? feature.is_floating_cloud,
      floating_users: overrides.floating_users ?? feature.floating_users,
    });
    if (problem) errors.add(row, `features.${code}.${problem.field}`, problem.message);
  }
  for (const name of Object.keys(license.custom_fields)) {
    if (!product.customFields.some((field) => field.name === name)) {
      errors.add(row, `custom_fields.${name}`, `the product has no custom field ${JSON.stringify(name)} (create it first)`);
    }
  }
}

/** Everything the import writes; passwords are hashed here, only for users that get one. */
async function licenseWrites(
  db: D1Database,
  fresh: Array<NumberedRow<ImportLicenseRow>>,
  existing: Array<NumberedRow<ImportLicenseRow>>,
  products: Map<string, ImportProduct>,
  customerIds: ReadonlyMap<number, number>,
): Promise<{ licenses: LicenseToWrite[]; passwords: PasswordBackfill[] }> {
  const missing = new Set(
    (
      await usersWithoutPassword(
        db,
        existing.map(({ value }) => value.id),
      )
    ).map((user) => JSON.stringify([user.license_id, user.username.toLowerCase()])),
  );
  const backfills = existing.flatMap(({ value }) =>
    (value.users ?? [])
      .filter((user) => user.password !== undefined && missing.has(JSON.stringify([value.id, user.username.toLowerCase()])))
      .map((user) => ({ licenseId: value.id, user })),
  );
  const toHash = fresh.flatMap(({ value }) => (value.users ?? []).filter((user) => user.password !== undefined)).length + backfills.length;
  if (toHash > MAX_PASSWORDS_PER_CALL) {
    throw new ApiError(
      "validation_error",
      `These rows carry ${toHash} passwords to store; at most ${MAX_PASSWORDS_PER_CALL} are hashed per call: split the file and send the parts one after another`,
    );
  }
  const hash = async (password: string | undefined) => (password === undefined ? null : await hashPassword(password));

  const licenses: LicenseToWrite[] = [];
  for (const { value } of fresh) {
    const product = products.get(value.product)!;
    const users = [];
    for (const user of value.users ?? []) users.push({ user, passwordHash: await hash(user.password) });
    licenses.push({
      id: value.id,
      product_id: product.id,
      license_key: value.license_key ?? null,
      created_at: value.created_at ?? null,
      terms: value,
      transferCount: value.transfer_count,
      users,
      // Every product feature is on the license, as when a license is issued here.
      features: product.features.map((feature) => ({ productFeatureId: feature.id, overrides: value.features[feature.code] ?? {} })),
      customer_id: customerIds.get(value.id) ?? null,
      customFields: Object.entries(value.custom_fields).map(([name, fieldValue]) => ({
        fieldId: product.customFields.find((field) => field.name === name)!.id,
        value: fieldValue,
      })),
    });
  }
  const passwords: PasswordBackfill[] = [];
  for (const { licenseId, user } of backfills) {
    passwords.push({
      license_id: licenseId,
      username: user.username,
      password_hash: (await hash(user.password))!,
      is_initial_password: user.is_initial_password,
    });
  }
  return { licenses, passwords };
}

/**
 * The customers of the new licenses: license id → customer id, and the INSERTs of the customers
 * that are new, under ids from nextCustomerId on (a customer written meanwhile makes the batch a
 * UNIQUE conflict: nothing is written and the same rows can be sent again).
 */
async function importedCustomers(
  db: D1Database,
  fresh: Array<NumberedRow<ImportLicenseRow>>,
  products: Map<string, ImportProduct>,
): Promise<{ ids: Map<number, number>; statements: D1PreparedStatement[] }> {
  const sold = fresh.flatMap(({ value }) =>
    value.customer ? [{ license: value, customer: value.customer, companyId: products.get(value.product)!.company_id }] : [],
  );
  const ids = new Map<number, number>();
  if (sold.length === 0) return { ids, statements: [] };
  const keyOf = (companyId: number, email: string) => `${companyId} ${email.toLowerCase()}`;

  const companies = [...new Set(sold.map(({ companyId }) => companyId))];
  const found = await Promise.all(
    companies.map((companyId) =>
      findCustomersByEmail(db, companyId, [
        ...new Set(sold.filter((s) => s.companyId === companyId && s.customer.email).map((s) => s.customer.email!)),
      ]),
    ),
  );
  const known = new Map(found.flat().map((customer) => [keyOf(customer.company_id, customer.email), customer.id]));

  // Of the rows naming the same new e-mail, the newest license's customer values are kept (a row without created_at is new now).
  const newest = new Map<string, (typeof sold)[number]>();
  const soldAt = (license: ImportLicenseRow) => license.created_at ?? "9999";
  for (const entry of sold) {
    if (!entry.customer.email) continue;
    const key = keyOf(entry.companyId, entry.customer.email);
    const kept = newest.get(key);
    if (!kept || soldAt(entry.license) >= soldAt(kept.license)) newest.set(key, entry);
  }

  let next = await nextCustomerId(db);
  const statements: D1PreparedStatement[] = [];
  const create = (entry: (typeof sold)[number]) => {
    const id = next++;
    statements.push(customerInsertStatement(db, id, entry.companyId, customerValues(entry.customer)));
    return id;
  };
  for (const entry of sold) {
    if (!entry.customer.email) {
      ids.set(entry.license.id, create(entry));
      continue;
    }
    const key = keyOf(entry.companyId, entry.customer.email);
    let id = known.get(key);
    if (id === undefined) {
      id = create(newest.get(key)!);
      known.set(key, id);
    }
    ids.set(entry.license.id, id);
  }
  return { ids, statements };
}
