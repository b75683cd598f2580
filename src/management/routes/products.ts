/** /api/v1/products: products, their features (the defaults every license inherits) and custom fields. */
import { z } from "zod";
import type { ManagementActor } from "../../auth/management-roles";
import { activityStatement } from "../../db/activity";
import { addFeatureToProductLicenses } from "../../db/license-features";
import { insertProductCustomField, productCustomFields } from "../../db/custom-fields";
import {
  deleteProductFeature,
  findProductFeature,
  insertProductFeature,
  licenseFeaturesInheritingFloatingUsers,
  licensesWithFeature,
  listProductFeatures,
  productFeatures,
  updateProductFeature,
} from "../../db/product-features";
import { deleteProduct, findProduct, insertProduct, listProducts, productDependents, updateProduct } from "../../db/products";
import { ApiError } from "../../errors";
import { forgetProductVersion } from "../../license-api/edge-state";
import { PageQuery, page } from "../../models/page";
import { CreateProductBody, ProductPath, ProductResource, UpdateProductBody, type TrialLicenseTerms } from "../../models/product";
import { CreateProductCustomFieldBody, ProductCustomFieldResource } from "../../models/product-custom-field";
import {
  CreateProductFeatureBody,
  PRODUCT_DEFAULTS_FOR_LICENSES,
  ProductFeaturePath,
  ProductFeatureResource,
  UpdateProductFeatureBody,
} from "../../models/product-feature";
import { AddedToLicensesResource, FeatureOverridesInput } from "../../models/license-feature";
import { assertTrialWorkable, assertWorkable, definedOnly, sentIn, type TrialSettings } from "../../models/unworkable-settings";
import { changedValues } from "../changed-values";
import { checkFeatureSettings } from "../feature-settings";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";

/**
 * validation_error when the trial settings a write leaves in place cannot work (a time-limited trial
 * without trial_days), or when trial terms it sends name a feature or custom field the product does
 * not have, or feature values that cannot work with the product's (the features and custom fields
 * of a trial license are the product's, like any license's).
 */
async function checkTrialSettings(env: Env, productId: number, values: TrialSettings, sent: TrialLicenseTerms | undefined): Promise<void> {
  assertTrialWorkable(values, (field) => field === "trial_days" || sent !== undefined);
  if (!sent) return;
  const features = Object.keys(sent.features);
  const fields = Object.keys(sent.custom_fields);
  if (features.length === 0 && fields.length === 0) return;
  const [known, knownFields] = await Promise.all([productFeatures(env.DB, productId), productCustomFields(env.DB, productId)]);
  const unknown = features.filter((code) => !known.some((feature) => feature.code === code));
  if (unknown.length > 0)
    throw new ApiError(
      "validation_error",
      `trial_license.features: the product has no feature ${unknown.map((code) => JSON.stringify(code)).join(", ")}`,
    );
  for (const feature of known)
    if (sent.features[feature.code])
      checkFeatureSettings(feature, sent.features[feature.code]!, ["trial_license", "features", feature.code]);
  const unknownFields = fields.filter((name) => !knownFields.some((field) => field.name === name));
  if (unknownFields.length > 0)
    throw new ApiError(
      "validation_error",
      `trial_license.custom_fields: the product has no custom field ${unknownFields.map((name) => JSON.stringify(name)).join(", ")}`,
    );
}

/** What deleteUnused deletes: the thing as stored, its name in messages, and its activity entry's action and target. */
interface Deletion<T extends { id: number }> {
  thing: T;
  name: string;
  action: "product.deleted" | "product_feature.deleted";
  targetType: "product" | "product_feature";
  /** Why it must stay (what refers to it), or null: nothing does. */
  inUse(): Promise<string | null>;
  /** Deletes it unless something refers to it, in one transaction with `after`; false when it did not. */
  remove(after: D1PreparedStatement[]): Promise<boolean>;
}

/**
 * Deletes a thing unless something refers to it, recording the deletion in the activity log. Why it
 * is in use is asked first, for a refusal that says why, and the delete checks again in its own
 * statements, so that a license issued meanwhile keeps the thing (then `inUse` is asked once more
 * for the reason).
 */
async function deleteUnused<T extends { id: number }>(env: Env, actor: ManagementActor, deletion: Deletion<T>): Promise<T> {
  const { thing, name } = deletion;
  const reason = await deletion.inUse();
  const recorded = activityStatement(env.DB, actor, {
    action: deletion.action,
    target: { type: deletion.targetType, id: thing.id },
    before: thing,
    onlyIfChanged: true,
  });
  if (reason === null && (await deletion.remove([recorded]))) return thing;
  throw new ApiError("conflict", reason ?? (await deletion.inUse()) ?? `${name} changed meanwhile: send the request again`);
}

export const managementProductRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/products",
    operationId: "createProduct",
    errors: { conflict: "a product already has this short_code" },
    tag: "Products",
    summary: "Create a product",
    description:
      "`allow_trial`, `trial_days`, `allow_multiple_trials` and `trial_license` (the terms of the trial licenses trial_key issues) may be " +
      "set here or later with PATCH; trial terms that name features or custom fields need them added first (PATCH the product then).",
    body: CreateProductBody,
    response: ProductResource,
    status: 201,
    async handler({ body, env, actor }) {
      // A new product has no features or custom fields yet: trial terms may name none.
      await checkTrialSettings(env, 0, body, body.trial_license);
      const product = await insertProduct(env.DB, body, [
        activityStatement(env.DB, actor, {
          action: "product.created",
          target: { type: "product", id: { select: "SELECT id FROM products WHERE short_code = ?", bind: [body.short_code] } },
          after: body,
          onlyIfChanged: true,
        }),
      ]);
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
    summary: "Change a product's name, metadata or trial settings",
    description:
      "The License API answers the metadata in product_details and in every license object of the product. Trial settings apply to the " +
      "next trial_key call; trial licenses issued before keep their terms. `trial_license` replaces the trial terms whole.",
    params: ProductPath,
    body: UpdateProductBody,
    response: ProductResource,
    async handler({ params, body, env, actor }) {
      const stored = orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      const trial = { trial_days: body.trial_days ?? stored.trial_days, trial_license: body.trial_license ?? stored.trial_license };
      if (body.trial_days !== undefined || body.trial_license !== undefined)
        await checkTrialSettings(env, params.product_id, trial as TrialSettings, body.trial_license);
      const change = changedValues(stored, body);
      const activity = activityStatement(env.DB, actor, {
        action: "product.updated",
        target: { type: "product", id: stored.id },
        ...change,
        onlyIfChanged: true,
      });
      const product = orNotFound(await updateProduct(env.DB, params.product_id, body, [activity]), "Product", params.product_id);
      // Trial settings are answered in license objects (product_details), which the objects answer from their snapshot.
      await forgetProductVersion(env.DB, params.product_id);
      return product;
    },
  }),
  managementRoute({
    method: "delete",
    path: "/api/v1/products/{product_id}",
    operationId: "deleteProduct",
    errors: { conflict: "the product has licenses (archived ones included) or License API keys limited to it" },
    tag: "Products",
    summary: "Delete a product that has no licenses, with its features and custom fields",
    description:
      "Only a product that never had a license (archived licenses count: they keep their history) and that no License API key is " +
      "limited to: otherwise 409 conflict, naming what keeps it. Answers the product as it was.",
    params: ProductPath,
    response: ProductResource,
    async handler({ params, env, actor }) {
      const stored = orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      return deleteUnused(env, actor, {
        thing: stored,
        name: `Product ${stored.id}`,
        action: "product.deleted",
        targetType: "product",
        async inUse() {
          const { licenses, apiKeys } = await productDependents(env.DB, stored.id);
          if (licenses === 0 && apiKeys === 0) return null;
          return (
            `Product ${stored.id} has ${licenses} license(s) and ${apiKeys} License API key(s) limited to it: only a product without ` +
            "either can be deleted (archive its licenses instead: they keep their history)"
          );
        },
        remove: (after) => deleteProduct(env.DB, stored.id, after),
      });
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
    async handler({ params, body, env, actor }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      const field = await insertProductCustomField(env.DB, params.product_id, body, [
        activityStatement(env.DB, actor, {
          action: "custom_field.created",
          target: {
            type: "custom_field",
            id: { select: "SELECT id FROM product_custom_fields WHERE product_id = ? AND name = ?", bind: [params.product_id, body.name] },
          },
          after: { product_id: params.product_id, ...body },
          onlyIfChanged: true,
        }),
      ]);
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
    description:
      "Licenses issued afterwards carry the feature. Licenses issued before get it with " +
      "`POST /api/v1/products/{product_id}/features/{feature_code}/add-to-licenses` (all of them) or " +
      "`POST /api/v1/licenses/{license_id}/features` (one).",
    params: ProductPath,
    body: CreateProductFeatureBody,
    response: ProductFeatureResource,
    status: 201,
    async handler({ params, body, env, actor }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      const feature = await insertProductFeature(env.DB, params.product_id, body, [
        activityStatement(env.DB, actor, {
          action: "product_feature.created",
          target: {
            type: "product_feature",
            id: { select: "SELECT id FROM product_features WHERE product_id = ? AND code = ?", bind: [params.product_id, body.code] },
          },
          after: { product_id: params.product_id, ...body },
          onlyIfChanged: true,
        }),
      ]);
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
    async handler({ params, body, env, actor }) {
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
      const activity = activityStatement(env.DB, actor, {
        action: "product_feature.updated",
        target: { type: "product_feature", id: stored.id },
        ...changedValues(stored, body),
        onlyIfChanged: true,
      });
      const feature = orNotFound(
        await updateProductFeature(env.DB, params.product_id, params.feature_code, body, [activity]),
        "Feature",
        params.feature_code,
      );
      await forgetProductVersion(env.DB, params.product_id);
      return feature;
    },
  }),
  managementRoute({
    method: "delete",
    path: "/api/v1/products/{product_id}/features/{feature_code}",
    operationId: "deleteProductFeature",
    errors: { conflict: "a license carries the feature, or carried it (its consumption history refers to it)" },
    tag: "Products",
    summary: "Delete a product feature that no license carries or ever carried",
    description:
      "A feature that licenses carry, or carried (a feature removed from a license stays in its consumption history), is kept: 409 " +
      "conflict. Remove it from licenses with `DELETE /api/v1/licenses/{license_id}/features/{feature_code}` so that they stop using " +
      "it. Answers the feature as it was.",
    params: ProductFeaturePath,
    response: ProductFeatureResource,
    async handler({ params, env, actor }) {
      const stored = orNotFound(await findProductFeature(env.DB, params.product_id, params.feature_code), "Feature", params.feature_code);
      return deleteUnused(env, actor, {
        thing: stored,
        name: `Feature ${JSON.stringify(stored.code)}`,
        action: "product_feature.deleted",
        targetType: "product_feature",
        async inUse() {
          const licenses = await licensesWithFeature(env.DB, stored.id);
          if (licenses === 0) return null;
          return (
            `Feature ${JSON.stringify(stored.code)} is (or was) on ${licenses} license(s): it stays, as their history refers to it ` +
            "(remove it from licenses to stop its use)"
          );
        },
        remove: (after) => deleteProductFeature(env.DB, stored.id, after),
      });
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/products/{product_id}/features/{feature_code}/add-to-licenses",
    operationId: "addFeatureToLicenses",
    tag: "Products",
    summary: "Add a product feature to every license of the product that does not have it, in one call",
    description:
      "The body is the licenses' own values for the feature, as on issue (`{}`: each inherits the product feature's). Licenses that " +
      "have the feature keep theirs; licenses it was removed from, and archived licenses, are left as they are (add it to one license " +
      "with POST /api/v1/licenses/{license_id}/features). One transaction; the feature is consumed from the very next License API " +
      "request; check_license lists it at once where this call was served and within 60 s everywhere (a product-level change).",
    params: ProductFeaturePath,
    body: FeatureOverridesInput,
    response: AddedToLicensesResource,
    async handler({ params, body, env, actor }) {
      const feature = orNotFound(await findProductFeature(env.DB, params.product_id, params.feature_code), "Feature", params.feature_code);
      checkFeatureSettings(feature, body);
      const added = await addFeatureToProductLicenses(env.DB, params.product_id, feature.id, body, [
        activityStatement(env.DB, actor, {
          action: "product_feature.added_to_licenses",
          target: { type: "product_feature", id: feature.id },
          after: { code: feature.code, overrides: body },
          changesAs: "licenses_added",
        }),
      ]);
      // Every license's objects answer the license's features (check_license): the product's version tells them.
      await forgetProductVersion(env.DB, params.product_id);
      return { feature_code: feature.code, licenses_added: added };
    },
  }),
];
