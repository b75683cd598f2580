/** Every management endpoint: the router registers these and the OpenAPI document describes these. */
import type { ManagementRoute } from "./management-route";
import { managementActivityRoutes } from "./routes/activity";
import { managementApiKeyRoutes } from "./routes/api-keys";
import { managementAuditRoutes } from "./routes/audit";
import { managementCustomerRoutes } from "./routes/customers";
import { managementDeviceRoutes } from "./routes/devices";
import { managementImportRoutes } from "./routes/import";
import { managementLicenseFeatureRoutes } from "./routes/license-features";
import { managementLicenseRoutes } from "./routes/licenses";
import { managementProductVersionRoutes } from "./routes/product-versions";
import { managementKeyRoutes } from "./routes/management-keys";
import { managementProductRoutes } from "./routes/products";
import { managementUsageRoutes } from "./routes/usage";
import { managementWebhookRoutes } from "./routes/webhooks";

export const managementRoutes: readonly ManagementRoute[] = [
  ...managementProductRoutes,
  ...managementProductVersionRoutes,
  ...managementLicenseRoutes,
  ...managementLicenseFeatureRoutes,
  ...managementCustomerRoutes,
  ...managementDeviceRoutes,
  ...managementApiKeyRoutes,
  ...managementKeyRoutes,
  ...managementActivityRoutes,
  ...managementAuditRoutes,
  ...managementImportRoutes,
  ...managementUsageRoutes,
  ...managementWebhookRoutes,
];
