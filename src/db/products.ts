/** A product as the License API answers it (product_details): tables products and product_custom_fields. */
import type { AuthorizationMethod } from "./license-context";

export interface ProductCustomField {
  id: number;
  name: string;
  defaultValue: string;
}

export interface ProductDetails {
  id: number;
  shortCode: string;
  name: string;
  authorizationMethod: AuthorizationMethod;
  companyId: number;
  metadataJson: string;
  customFields: ProductCustomField[];
}

interface ProductRow {
  id: number;
  short_code: string;
  name: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  metadata: string;
}

/** The product with this short code and its custom fields; null when there is none. */
export async function findProductDetails(db: D1Database, shortCode: string): Promise<ProductDetails | null> {
  const [product, fields] = await db.batch([
    db
      .prepare("SELECT id, short_code, name, authorization_method, company_id, metadata FROM products WHERE short_code = ?")
      .bind(shortCode),
    db
      .prepare(
        `SELECT f.id, f.name, f.default_value FROM product_custom_fields f JOIN products p ON p.id = f.product_id
         WHERE p.short_code = ? ORDER BY f.id`,
      )
      .bind(shortCode),
  ]);
  const row = (product!.results as ProductRow[])[0];
  if (!row) return null;
  return {
    id: row.id,
    shortCode: row.short_code,
    name: row.name,
    authorizationMethod: row.authorization_method,
    companyId: row.company_id,
    metadataJson: row.metadata,
    customFields: (fields!.results as Array<{ id: number; name: string; default_value: string }>).map((field) => ({
      id: field.id,
      name: field.name,
      defaultValue: field.default_value,
    })),
  };
}
