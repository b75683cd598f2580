/** /api/v1/api-keys: the License API credentials clients sign requests with. */
import type { ManagementActor } from "../../auth/management-roles";
import { activityStatement } from "../../db/activity";
import { insertApiKey, listApiKeys, restrictApiKey } from "../../db/api-keys";
import { productsOutsideCompany } from "../../db/products";
import { ApiError } from "../../errors";
import { forgetApiKey } from "../../license-api/edge-state";
import { ApiKeyPath, ApiKeyResource, CreateApiKeyBody, CreatedApiKeyResource } from "../../models/api-key";
import { PageQuery, page } from "../../models/page";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";
import { generateApiCredentials } from "../../auth/random-secrets";

/**
 * A key changed: this isolate and its location forget their copies at once; every other isolate
 * uses its copy for at most 60 s more (src/license-api/edge-state.ts).
 */
async function forgotten<T extends { api_key: string }>(record: T): Promise<T> {
  await forgetApiKey(record.api_key);
  return record;
}

/** Makes a key read-only or revokes it, recorded in the activity log when it was not so already. */
async function restrict(env: Env, actor: ManagementActor, apiKeyId: number, restriction: "read_only" | "revoked") {
  const activity = activityStatement(env.DB, actor, {
    action: restriction === "read_only" ? "api_key.made_read_only" : "api_key.revoked",
    target: { type: "api_key", id: apiKeyId },
    before: { [restriction]: false },
    after: { [restriction]: true },
    onlyIfChanged: true,
  });
  return forgotten(orNotFound(await restrictApiKey(env.DB, apiKeyId, restriction, [activity]), "API key", apiKeyId));
}

export const managementApiKeyRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/api-keys",
    operationId: "createApiKey",
    tag: "API keys",
    summary: "Create a License API key; the answer carries the shared key, which is never shown again",
    description:
      "A key belongs to a company (company_id, default 1) and reaches only that company's products: another company's product is " +
      "unknown_product to it. product_ids limits it further to some of them (api_key_product_not_allowed for the others).",
    body: CreateApiKeyBody,
    response: CreatedApiKeyResource,
    status: 201,
    async handler({ body, env, actor }) {
      const productIds = body.product_ids ?? null;
      if (productIds) {
        const outside = await productsOutsideCompany(env.DB, body.company_id, productIds);
        if (outside.length > 0) {
          const verb = outside.length === 1 ? "is not a product" : "are not products";
          throw new ApiError("validation_error", `product_ids: ${outside.join(", ")} ${verb} of company ${body.company_id}`);
        }
      }
      const { apiKey, sharedKey } = generateApiCredentials();
      const created = await insertApiKey(
        env.DB,
        { api_key: apiKey, shared_key: sharedKey, read_only: body.read_only, company_id: body.company_id, product_ids: productIds ?? [] },
        [
          activityStatement(env.DB, actor, {
            action: "api_key.created",
            target: { type: "api_key", id: { select: "SELECT id FROM api_keys WHERE api_key = ?", bind: [apiKey] } },
            // Never the shared key: the activity log is readable by read-only callers.
            after: { api_key: apiKey, read_only: body.read_only, company_id: body.company_id, product_ids: productIds },
          }),
        ],
      );
      return { ...created, shared_key: sharedKey };
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/api-keys",
    operationId: "listApiKeys",
    tag: "API keys",
    summary: "List License API keys (without their shared keys)",
    query: PageQuery,
    response: page(ApiKeyResource),
    async handler({ query, env }) {
      return pageBody(await listApiKeys(env.DB, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/api-keys/{api_key_id}/read-only",
    operationId: "makeApiKeyReadOnly",
    tag: "API keys",
    summary: "Make a key read-only: writing License API requests fail with read_only_api_key (everywhere within 60 seconds)",
    params: ApiKeyPath,
    response: ApiKeyResource,
    async handler({ params, env, actor }) {
      return restrict(env, actor, params.api_key_id, "read_only");
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/api-keys/{api_key_id}/revoke",
    operationId: "revokeApiKey",
    tag: "API keys",
    summary: "Revoke a key for good: its requests fail with revoked_api_key (everywhere within 60 seconds)",
    params: ApiKeyPath,
    response: ApiKeyResource,
    async handler({ params, env, actor }) {
      return restrict(env, actor, params.api_key_id, "revoked");
    },
  }),
];
