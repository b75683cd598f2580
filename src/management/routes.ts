/** Every management endpoint: the router registers these and the OpenAPI document describes these. */
import type { ManagementRoute } from "./management-route";
import { managementApiKeyRoutes } from "./routes/api-keys";
import { managementAuditRoutes } from "./routes/audit";
import { managementDeviceRoutes } from "./routes/devices";
import { managementImportRoutes } from "./routes/import";
import { managementLicenseRoutes } from "./routes/licenses";
import { managementProductVersionRoutes } from "./routes/product-versions";
import { managementProductRoutes } from "./routes/products";
import { managementUsageRoutes } from "./routes/usage";
import { managementWebhookRoutes } from "./routes/webhooks";

export const managementRoutes: readonly ManagementRoute[] = [
  ...managementProductRoutes,
  ...managementProductVersionRoutes,
  ...managementLicenseRoutes,
  ...managementDeviceRoutes,
  ...managementApiKeyRoutes,
  ...managementAuditRoutes,
  ...managementImportRoutes,
  ...managementUsageRoutes,
  ...managementWebhookRoutes,
];
