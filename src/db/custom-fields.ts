/**
 * Custom fields (tables product_custom_fields and license_custom_fields): the fields a product
 * defines with their defaults, and each license's own values. The License API answers them in
 * license objects and product_details; the management API defines and sets them.
 */
import {
  ProductCustomFieldResource,
  type CreateProductCustomFieldBody,
  type CustomFieldValueResource,
} from "../models/product-custom-field";
import { productVersionRise } from "./products";
import { insertStatement } from "./row-codec";

const FIELD_COLUMNS = Object.keys(ProductCustomFieldResource.shape).join(", ");

/**
 * Every custom field of a license's product, with the license's own value or the product default,
 * in field order; `license` is the license's id as an SQL expression (a parameter, or a subquery).
 */
export const licenseCustomFieldsSql = (license: string) =>
  `SELECT f.name, f.data_type, COALESCE(v.value, f.default_value) AS value
   FROM licenses l JOIN product_custom_fields f ON f.product_id = l.product_id
   LEFT JOIN license_custom_fields v ON v.license_id = l.id AND v.product_custom_field_id = f.id
   WHERE l.id = ${license} ORDER BY f.id`;

/** licenseCustomFieldsSql for one license. */
export function licenseCustomFieldsStatement(db: D1Database, licenseId: number): D1PreparedStatement {
  return db.prepare(licenseCustomFieldsSql("?")).bind(licenseId);
}

/** The custom field values licenseCustomFieldsStatement read. */
export const customFieldValuesOf = (result: D1Result | undefined) => (result?.results ?? []) as CustomFieldValueResource[];

/**
 * Adds a custom field to a product, with `also` in the same transaction; null when the product
 * already has one with that name. Every license object of the product lists it: the product's
 * version rises in the same transaction.
 */
export async function insertProductCustomField(
  db: D1Database,
  productId: number,
  field: CreateProductCustomFieldBody,
  also: D1PreparedStatement[] = [],
): Promise<ProductCustomFieldResource | null> {
  const [inserted] = await db.batch<ProductCustomFieldResource>([
    insertStatement(
      db,
      "product_custom_fields",
      { product_id: productId, ...field },
      `ON CONFLICT (product_id, name) DO NOTHING RETURNING ${FIELD_COLUMNS}`,
    ),
    // `also` right after the insert: an activity entry recorded onlyIfChanged follows the insert, not the version's rise.
    ...also,
    productVersionRise(db, productId),
  ]);
  return inserted!.results[0] ?? null;
}

/** All custom fields of a product, in id order (a product has a handful). */
export async function productCustomFields(db: D1Database, productId: number): Promise<ProductCustomFieldResource[]> {
  const { results } = await db
    .prepare(`SELECT ${FIELD_COLUMNS} FROM product_custom_fields WHERE product_id = ? ORDER BY id`)
    .bind(productId)
    .all<ProductCustomFieldResource>();
  return results;
}

/** A license's own value of a custom field, to insert (`license_id` null: the license the same batch inserts). */
export const customFieldValueInsertRow = (licenseId: number | null, fieldId: number, value: string) => ({
  license_id: licenseId,
  product_custom_field_id: fieldId,
  value,
});

/** Sets a license's own value of a custom field; null removes it, so the product default applies again. */
export function setCustomFieldValue(db: D1Database, licenseId: number, fieldId: number, value: string | null): D1PreparedStatement {
  if (value === null)
    return db.prepare("DELETE FROM license_custom_fields WHERE license_id = ? AND product_custom_field_id = ?").bind(licenseId, fieldId);
  return db
    .prepare(
      `INSERT INTO license_custom_fields (license_id, product_custom_field_id, value) VALUES (?, ?, ?)
       ON CONFLICT (license_id, product_custom_field_id) DO UPDATE SET value = excluded.value`,
    )
    .bind(licenseId, fieldId, value);
}
