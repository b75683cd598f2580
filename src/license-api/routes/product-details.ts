/** GET /api/v4/product_details: a product's public details, as the SDK's GetProductDetailsResponse declares them. */
import { releasedVersions } from "../../db/product-versions";
import { findProductDetails } from "../../db/products";
import { ApiError } from "../../errors";
import { parseMetadata } from "../license-body";
import { licenseApiRoute } from "../license-api-route";
import { accessibleProduct } from "../resolve-license";
import { ProductDetailsBody } from "../response-schemas";
import { ProductDetailsQuery } from "../schemas";
import { latestVersionBody } from "../version-body";

/**
 * The product's trial settings as the vendor set them; with include_latest_version, its newest
 * enabled version for the client's environment and channel (each, when sent), or null when it has
 * none. Floating and product-level overages are not product settings here: their neutral values.
 */
export const productDetails = licenseApiRoute({
  method: "get",
  path: "/api/v4/product_details",
  operationId: "getProductDetails",
  summary: "A product's details (and its custom fields)",
  query: ProductDetailsQuery,
  response: ProductDetailsBody,
  reads: "none",
  async handler({ env, apiKey, query }) {
    // Another company's product is unknown_product, exactly as one that does not exist.
    const product = accessibleProduct(await findProductDetails(env.DB, query.product), apiKey);
    const metadata = parseMetadata(product.metadataJson);
    const [latest] = query.include_latest_version
      ? await releasedVersions(env.DB, product.id, { environment: query.env, channel: query.channel }, 1)
      : [];
    return {
      product_id: product.id,
      product_name: product.name,
      short_code: product.shortCode,
      allow_trial: product.allowTrial,
      trial_days: product.trialDays,
      authorization_method: product.authorizationMethod,
      floating_timeout: 0,
      allow_overages: false,
      max_overages: 0,
      prevent_vm: false,
      metadata,
      metadata_string: JSON.stringify(metadata),
      company: { id: product.companyId },
      ...(query.include_latest_version ? { latest_version: latest ? latestVersionBody(latest) : null } : {}),
      ...(query.include_custom_fields
        ? { custom_fields: product.customFields.map((field) => ({ id: field.id, name: field.name, default_value: field.defaultValue })) }
        : {}),
    };
  },
});
