/**
 * /api/v1/management-keys: named keys for the management API, each with a role (admin, support,
 * read-only). The key is answered once, when it is created; only its SHA-256 is kept. The Worker
 * secret MANAGEMENT_KEY stays the bootstrap admin and is not listed here.
 */
import { managementKeyHash } from "../../auth/management-key";
import { activityStatement } from "../../db/activity";
import {
  findManagementKey,
  insertManagementKeyStatement,
  listManagementKeys,
  managementKeyResource,
  revokeManagementKeyStatement,
  type ManagementKeyRow,
} from "../../db/management-keys";
import { isUniqueViolation } from "../../db/sql-errors";
import { ApiError } from "../../errors";
import {
  CreateManagementKeyBody,
  CreatedManagementKeyResource,
  ManagementKeyPath,
  ManagementKeyResource,
} from "../../models/management-key";
import { PageQuery, page } from "../../models/page";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";
import { generateManagementKey } from "../../auth/random-secrets";

export const managementKeyRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/management-keys",
    operationId: "createManagementKey",
    errors: { conflict: "a management key has (or had) this name" },
    tag: "Management keys",
    summary: "Create a named management key with a role; the answer is the only time the key is shown",
    description:
      "Send it as `Authorization: Api-Key <key>`. Roles: `admin` (everything), `support` (licenses, their features and counters, " +
      "customers and devices; no products, keys or imports), `read-only` (every GET but this list). The name is what the activity log " +
      "shows for every change made with the key; names are never given twice, revoked keys included.",
    body: CreateManagementKeyBody,
    response: CreatedManagementKeyResource,
    status: 201,
    async handler({ body, env, actor }) {
      const { key, prefix } = generateManagementKey();
      const keyHash = await managementKeyHash(key);
      let inserted: ManagementKeyRow | undefined;
      try {
        const [created] = await env.DB.batch<ManagementKeyRow>([
          insertManagementKeyStatement(env.DB, {
            name: body.name,
            role: body.role,
            key_hash: keyHash,
            key_prefix: prefix,
            created_by: actor.name,
          }),
          activityStatement(env.DB, actor, {
            action: "management_key.created",
            target: { type: "management_key", id: { select: "SELECT id FROM management_keys WHERE key_hash = ?", bind: [keyHash] } },
            after: { name: body.name, role: body.role, key_prefix: prefix },
          }),
        ]);
        inserted = created!.results[0];
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ApiError("conflict", `A management key named ${JSON.stringify(body.name)} exists (or existed)`);
        throw error;
      }
      return { ...managementKeyResource(inserted!), key };
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/management-keys",
    operationId: "listManagementKeys",
    tag: "Management keys",
    summary: "List the named management keys (never the keys themselves), revoked ones included",
    query: PageQuery,
    response: page(ManagementKeyResource),
    async handler({ query, env }) {
      return pageBody(await listManagementKeys(env.DB, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/management-keys/{management_key_id}/revoke",
    operationId: "revokeManagementKey",
    tag: "Management keys",
    summary: "Revoke a management key for good: its next request is refused (403)",
    params: ManagementKeyPath,
    response: ManagementKeyResource,
    async handler({ params, env, actor }) {
      const stored = orNotFound(await findManagementKey(env.DB, params.management_key_id), "Management key", params.management_key_id);
      if (stored.revoked_at !== null) return stored;
      const [revoked] = await env.DB.batch<ManagementKeyRow>([
        revokeManagementKeyStatement(env.DB, stored.id, actor.name),
        activityStatement(env.DB, actor, {
          action: "management_key.revoked",
          target: { type: "management_key", id: stored.id },
          before: { name: stored.name, role: stored.role, revoked: false },
          after: { revoked: true },
          onlyIfChanged: true,
        }),
      ]);
      const row = revoked!.results[0];
      return row ? managementKeyResource(row) : orNotFound(await findManagementKey(env.DB, stored.id), "Management key", stored.id);
    },
  }),
];
