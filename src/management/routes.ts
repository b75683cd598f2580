/** Every management endpoint: the router registers these and the OpenAPI document describes these. */
import type { ManagementRoute } from "./define-route";
import { apiKeyRoutes } from "./routes/api-keys";
import { auditRoutes } from "./routes/audit";
import { deviceRoutes } from "./routes/devices";
import { importRoutes } from "./routes/import";
import { licenseRoutes } from "./routes/licenses";
import { productRoutes } from "./routes/products";
import { usageRoutes } from "./routes/usage";
import { webhookRoutes } from "./routes/webhooks";

export const managementRoutes: readonly ManagementRoute[] = [
  ...productRoutes,
  ...licenseRoutes,
  ...deviceRoutes,
  ...apiKeyRoutes,
  ...auditRoutes,
  ...importRoutes,
  ...usageRoutes,
  ...webhookRoutes,
];
