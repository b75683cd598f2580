/** /api/v1/products: products, their features (the defaults every license inherits) and custom fields. */
import { z } from "zod";
import { insertProductCustomField, productCustomFields } from "../../db/custom-fields";
import {
  findProductFeature,
  insertProductFeature,
  licenseFeaturesInheritingFloatingUsers,
  listProductFeatures,
  updateProductFeature,
} from "../../db/product-features";
import { findProduct, insertProduct, listProducts, updateProduct } from "../../db/products";
import { ApiError } from "../../errors";
import { forgetProductVersion } from "../../license-api/edge-state";
import { PageQuery, page } from "../../models/page";
import { CreateProductBody, ProductPath, ProductResource, UpdateProductBody } from "../../models/product";
import { CreateProductCustomFieldBody, ProductCustomFieldResource } from "../../models/product-custom-field";
import {
  CreateProductFeatureBody,
  PRODUCT_DEFAULTS_FOR_LICENSES,
  ProductFeaturePath,
  ProductFeatureResource,
  UpdateProductFeatureBody,
} from "../../models/product-feature";
import { assertWorkable, definedOnly, sentIn } from "../../models/unworkable-settings";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";

export const managementProductRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/products",
    operationId: "createProduct",
    errors: { conflict: "a product already has this short_code" },
    tag: "Products",
    summary: "Create a product",
    body: CreateProductBody,
    response: ProductResource,
    status: 201,
    async handler({ body, env }) {
      const product = await insertProduct(env.DB, body);
      if (!product) throw new ApiError("conflict", `A product with short_code ${JSON.stringify(body.short_code)} already exists`);
      return product;
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/products",
    operationId: "listProducts",
    tag: "Products",
    summary: "List products",
    query: PageQuery,
    response: page(ProductResource),
    async handler({ query, env }) {
      return pageBody(await listProducts(env.DB, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/products/{product_id}",
    operationId: "getProduct",
    tag: "Products",
    summary: "Get a product",
    params: ProductPath,
    response: ProductResource,
    async handler({ params, env }) {
      return orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/products/{product_id}",
    operationId: "updateProduct",
    tag: "Products",
    summary: "Change a product's name or metadata",
    description: "The License API answers the metadata in product_details and in every license object of the product.",
    params: ProductPath,
    body: UpdateProductBody,
    response: ProductResource,
    async handler({ params, body, env }) {
      const product = orNotFound(await updateProduct(env.DB, params.product_id, body), "Product", params.product_id);
      await forgetProductVersion(env.DB, params.product_id);
      return product;
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/products/{product_id}/custom-fields",
    operationId: "createProductCustomField",
    errors: { conflict: "the product already has a custom field of this name" },
    tag: "Products",
    summary: "Add a custom field to a product, with its default value",
    description:
      "Every license of the product has the field (custom_fields in license objects), with the default unless the license sets its own " +
      "value (issue or PATCH the license with `custom_fields`). product_details lists the fields with include_custom_fields=true.",
    params: ProductPath,
    body: CreateProductCustomFieldBody,
    response: ProductCustomFieldResource,
    status: 201,
    async handler({ params, body, env }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      const field = await insertProductCustomField(env.DB, params.product_id, body);
      if (!field) throw new ApiError("conflict", `The product already has a custom field named ${JSON.stringify(body.name)}`);
      await forgetProductVersion(env.DB, params.product_id);
      return field;
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/products/{product_id}/custom-fields",
    operationId: "listProductCustomFields",
    tag: "Products",
    summary: "List a product's custom fields",
    params: ProductPath,
    response: z.object({ data: z.array(ProductCustomFieldResource) }),
    async handler({ params, env }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      return { data: await productCustomFields(env.DB, params.product_id) };
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/products/{product_id}/features",
    operationId: "createProductFeature",
    errors: { conflict: "the product already has a feature with this code" },
    tag: "Products",
    summary: "Add a feature to a product, with its default consumption rules",
    description: "Licenses issued afterwards carry the feature; licenses issued before do not.",
    params: ProductPath,
    body: CreateProductFeatureBody,
    response: ProductFeatureResource,
    status: 201,
    async handler({ params, body, env }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      const feature = await insertProductFeature(env.DB, params.product_id, body);
      if (!feature) throw new ApiError("conflict", `The product already has a feature with code ${JSON.stringify(body.code)}`);
      return feature;
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/products/{product_id}/features",
    operationId: "listProductFeatures",
    tag: "Products",
    summary: "List a product's features",
    params: ProductPath,
    query: PageQuery,
    response: page(ProductFeatureResource),
    async handler({ params, query, env }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      return pageBody(await listProductFeatures(env.DB, params.product_id, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/products/{product_id}/features/{feature_code}",
    operationId: "updateProductFeature",
    tag: "Products",
    summary: "Update a product feature's defaults",
    description:
      "Every license that does not override a value uses the new default within 60 seconds (at once on the edge location that served this call).",
    params: ProductFeaturePath,
    body: UpdateProductFeatureBody,
    response: ProductFeatureResource,
    async handler({ params, body, env }) {
      const stored = orNotFound(await findProductFeature(env.DB, params.product_id, params.feature_code), "Feature", params.feature_code);
      const next = { ...stored, ...definedOnly(body) };
      assertWorkable(next, (field) => sentIn(body)(field) && !(PRODUCT_DEFAULTS_FOR_LICENSES as readonly string[]).includes(field));
      const floats = next.is_floating_cloud;
      const users = next.floating_users;
      if (users < 1) {
        const inheriting = await licenseFeaturesInheritingFloatingUsers(env.DB, stored.id, floats);
        if (inheriting > 0)
          throw new ApiError(
            "validation_error",
            `floating_users: ${inheriting} floating license feature(s) use this default; it must stay at least 1 (or set their own floating_users first)`,
          );
      }
      const feature = orNotFound(
        await updateProductFeature(env.DB, params.product_id, params.feature_code, body),
        "Feature",
        params.feature_code,
      );
      await forgetProductVersion(env.DB, params.product_id);
      return feature;
    },
  }),
];
