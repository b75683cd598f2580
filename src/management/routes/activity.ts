/** /api/v1/activity: who did what (every vendor action, newest first), and /api/v1/me: who is calling. */
import { listActivity } from "../../db/activity";
import { ActivityQuery, ActivityResource, CallerResource } from "../../models/activity";
import { page } from "../../models/page";
import { managementRoute } from "../management-route";
import { pageBody } from "../page-body";

export const managementActivityRoutes = [
  managementRoute({
    method: "get",
    path: "/api/v1/activity",
    operationId: "listActivity",
    tag: "Activity",
    summary: "The activity log: who did what to what, with the values before and after, newest first",
    description:
      "Every vendor action through this API: issuing and changing licenses, their features and counters, devices, customers, products, " +
      "keys and imports. Filters combine with AND: actor (a key's name, an Access e-mail or MANAGEMENT_KEY, case-insensitive), action, " +
      "target_type and target_id, license_id (the license and everything on it), from (inclusive) and to (exclusive). An entry is " +
      "written in the same transaction as the change it records, so it is there as soon as the change has answered.",
    query: ActivityQuery,
    response: page(ActivityResource),
    async handler({ query, env }) {
      return pageBody(await listActivity(env.DB, query));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/me",
    operationId: "getCaller",
    tag: "Activity",
    summary: "Who is calling: the name the activity log gives the caller, how they signed in, and their role",
    response: CallerResource,
    async handler({ actor }) {
      return { name: actor.name, type: actor.type, role: actor.role };
    },
  }),
];
