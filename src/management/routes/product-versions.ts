/**
 * /api/v1/products/{product_id}/versions: publish a product's versions, list and change them.
 * Clients see the enabled ones at once in versions and installation_file (read from D1 on each
 * request), and the newest in license objects with the product's version (at once where the change
 * was made, within 60 s everywhere: docs/architecture.md).
 */
import { findProduct } from "../../db/products";
import { activityStatement } from "../../db/activity";
import { findProductVersion, insertProductVersion, productVersions, updateProductVersion } from "../../db/product-versions";
import { ApiError } from "../../errors";
import { forgetProductVersion } from "../../license-api/edge-state";
import { ProductPath } from "../../models/product";
import {
  CreateProductVersionBody,
  ProductVersionPath,
  ProductVersionList,
  ProductVersionResource,
  UpdateProductVersionBody,
} from "../../models/product-version";
import { changedValues } from "../changed-values";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";

export const managementProductVersionRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/products/{product_id}/versions",
    operationId: "createProductVersion",
    errors: { conflict: "the product already has this version for this environment and channel" },
    tag: "Products",
    summary: "Publish a product version",
    description:
      "A version is named by `version`, `environment` and `channel` together. `installation_file` is where clients download it " +
      "(the service stores no files: point it at R2, a CDN or your site). Enabled versions are what versions and installation_file answer.",
    params: ProductPath,
    body: CreateProductVersionBody,
    response: ProductVersionResource,
    status: 201,
    async handler({ params, body, env, actor }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      const version = await insertProductVersion(env.DB, params.product_id, body, [
        activityStatement(env.DB, actor, {
          action: "product_version.created",
          target: {
            type: "product_version",
            id: {
              select: "SELECT id FROM product_versions WHERE product_id = ? AND version = ? AND environment = ? AND channel = ?",
              bind: [params.product_id, body.version, body.environment, body.channel],
            },
          },
          after: { product_id: params.product_id, ...body },
          onlyIfChanged: true,
        }),
      ]);
      if (!version)
        throw new ApiError(
          "conflict",
          `The product already has version ${JSON.stringify(body.version)} for environment ${JSON.stringify(body.environment)} and channel ${JSON.stringify(body.channel)}`,
        );
      // License objects name the newest version (installation_file): the edge and the objects learn of it.
      await forgetProductVersion(env.DB, params.product_id);
      return version;
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/products/{product_id}/versions",
    operationId: "listProductVersions",
    tag: "Products",
    summary: "List a product's versions, newest release first (disabled ones too)",
    params: ProductPath,
    response: ProductVersionList,
    async handler({ params, env }) {
      orNotFound(await findProduct(env.DB, params.product_id), "Product", params.product_id);
      return { data: await productVersions(env.DB, params.product_id) };
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/products/{product_id}/versions/{version_id}",
    operationId: "updateProductVersion",
    tag: "Products",
    summary: "Change a product version (enabled: false withdraws it from clients)",
    params: ProductVersionPath,
    body: UpdateProductVersionBody,
    response: ProductVersionResource,
    async handler({ params, body, env, actor }) {
      const stored = orNotFound(await findProductVersion(env.DB, params.product_id, params.version_id), "Version", params.version_id);
      const activity = activityStatement(env.DB, actor, {
        action: "product_version.updated",
        target: { type: "product_version", id: stored.id },
        ...changedValues(stored, body),
        onlyIfChanged: true,
      });
      const version = orNotFound(
        await updateProductVersion(env.DB, params.product_id, params.version_id, body, [activity]),
        "Version",
        params.version_id,
      );
      await forgetProductVersion(env.DB, params.product_id);
      return version;
    },
  }),
];
