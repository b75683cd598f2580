// A vendor's script, written against the client generated from the service's OpenAPI document
// (generated/api.ts, by openapi-typescript) and called with openapi-fetch: it issues a license and
// lists licenses using the document's named types. Type-checked with this package's own
// TypeScript, then run against the service (test/node/openapi-document.test.ts).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

export type License = components["schemas"]["License"];
export type LicenseDetail = components["schemas"]["LicenseDetail"];
export type Product = components["schemas"]["Product"];
export type ProductFeature = components["schemas"]["ProductFeature"];
export type ApiError = components["schemas"]["Error"];
export type IssueLicenseBody = NonNullable<paths["/api/v1/licenses"]["post"]["requestBody"]>["content"]["application/json"];

export function managementClient(serverUrl: string, managementKey: string) {
  return createClient<paths>({ baseUrl: serverUrl, headers: { Authorization: `Api-Key ${managementKey}` } });
}

type Client = ReturnType<typeof managementClient>;

/** The data of a successful answer, or the API's error as an exception naming its code. */
function ok<T>(answer: { data?: T; error?: ApiError }): T {
  if (answer.error) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data!;
}

/** A product with a metered feature, and a license of it. */
export async function issueLicense(
  client: Client,
  shortCode: string,
): Promise<{ product: Product; feature: ProductFeature; license: LicenseDetail }> {
  const product = ok(await client.POST("/api/v1/products", { body: { short_code: shortCode, name: "Exporter" } }));
  const feature = ok(
    await client.POST("/api/v1/products/{product_id}/features", {
      params: { path: { product_id: product.id } },
      body: { code: "exports", name: "Exports", max_consumption: 1000, reset_consumption: true, consumption_period: "monthly" },
    }),
  );
  const license = ok(
    await client.POST("/api/v1/licenses", {
      body: { product_id: product.id, max_activations: 3, customer: { email: "buyer@example.com", company_name: "ACME" } },
    }),
  );
  return { product, feature, license };
}

/** Every license of a product, page by page. */
export async function listLicenses(client: Client, productId: number): Promise<License[]> {
  const licenses: License[] = [];
  let cursor: string | undefined;
  do {
    const page = ok(await client.GET("/api/v1/licenses", { params: { query: { product_id: productId, limit: 1, cursor } } }));
    licenses.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return licenses;
}

/** The error code of a call that names a license that does not exist. */
export async function missingLicenseCode(client: Client): Promise<ApiError["code"] | undefined> {
  const { error, response } = await client.GET("/api/v1/licenses/{license_id}", {
    params: { path: { license_id: 9_007_199_254_740_991 } },
  });
  return response.status === 404 ? error?.code : undefined;
}

// What the generated types refuse (each line must be a type error, or the type-check fails):
export async function mistakes(client: Client): Promise<void> {
  // @ts-expect-error limit is an integer, not a string
  await client.GET("/api/v1/licenses", { params: { query: { limit: "10" } } });
  // @ts-expect-error license_id is an integer in the path
  await client.GET("/api/v1/licenses/{license_id}", { params: { path: { license_id: "7" } } });
  // @ts-expect-error a misspelt field: max_activations
  const misspelt: IssueLicenseBody = { product_id: 1, max_activation: 5 };
  await client.POST("/api/v1/licenses", { body: misspelt });
  // @ts-expect-error license_type is one of the license types
  await client.POST("/api/v1/licenses", { body: { product_id: 1, license_type: "forever" } });
}
