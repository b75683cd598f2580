/**
 * The wire shapes the console reads and sends: the management API's own zod models (src/models),
 * imported as types only, so a field renamed in the API fails the console's type check instead of
 * showing blank cells. Nothing of src/ is bundled into the console except the pure helpers it
 * imports by value (consumption periods).
 */
import type { z } from "zod";
import type { CreateProductBody } from "../src/models/product";
import type { CreateProductFeatureBody, UpdateProductFeatureBody } from "../src/models/product-feature";
import type { IssueLicenseBody } from "../src/models/license";
import type { UpdateLicenseFeatureBody } from "../src/models/license-feature";
import type { UpdateLicenseConsumptionBody } from "../src/models/license-consumption";
import type { CreateApiKeyBody } from "../src/models/api-key";
import type { CreateWebhookEndpointBody, UpdateWebhookEndpointBody } from "../src/models/webhook-endpoint";
import type { LicenseUsageResource, NearCapItem, CustomerUsageItem, ProductUsageItem } from "../src/models/usage";
import type { CreateCustomerBody, UpdateCustomerBody } from "../src/models/customer";
import type { CreateManagementKeyBody } from "../src/models/management-key";
import type { UpdateLicenseBody } from "../src/models/license";
import type { CallerResource } from "../src/models/activity";
import type { CreateProductVersionBody } from "../src/models/product-version";

export type { ProductResource as Product } from "../src/models/product";
export type { ProductFeatureResource as ProductFeature } from "../src/models/product-feature";
export type { ProductVersionResource as ProductVersion } from "../src/models/product-version";
export type { LicenseResource as License, LicenseDetailResource as LicenseDetail, LicenseType } from "../src/models/license";
export type { LicenseFeatureResource as LicenseFeature } from "../src/models/license-feature";
export type { CustomerResource as Customer, CustomerDetailResource as CustomerDetail } from "../src/models/customer";
export type { ManagementKeyResource as ManagementKey } from "../src/models/management-key";
export type { ActivityResource as Activity, ActivityAction } from "../src/models/activity";
export type { ManagementRole } from "../src/auth/management-roles";
export type { DeviceResource as Device } from "../src/models/device";
export type { ApiKeyResource as ApiKey } from "../src/models/api-key";
export type { AuditEntryResource as AuditEntry } from "../src/models/audit-entry";
export type { ConsumptionPeriod } from "../src/counter/consumption-rules";
export type {
  WebhookEndpointResource as WebhookEndpoint,
  WebhookDeliveryResource as WebhookDelivery,
} from "../src/models/webhook-endpoint";
export type { WebhookEventType } from "../src/webhooks/event-types";
export type LicenseUsage = z.output<typeof LicenseUsageResource>;
export type NearCap = z.output<typeof NearCapItem>;
export type CustomerUsage = z.output<typeof CustomerUsageItem>;
export type ProductUsage = z.output<typeof ProductUsageItem>;

/** Request bodies as a client writes them (defaults may be left out). */
export type CreateProductInput = z.input<typeof CreateProductBody>;
export type CreateProductFeatureInput = z.input<typeof CreateProductFeatureBody>;
export type CreateProductVersionInput = z.input<typeof CreateProductVersionBody>;
export type UpdateProductFeatureInput = z.input<typeof UpdateProductFeatureBody>;
export type IssueLicenseInput = z.input<typeof IssueLicenseBody>;
export type UpdateLicenseFeatureInput = z.input<typeof UpdateLicenseFeatureBody>;
export type UpdateLicenseConsumptionInput = z.input<typeof UpdateLicenseConsumptionBody>;
export type CreateApiKeyInput = z.input<typeof CreateApiKeyBody>;
export type CreateWebhookEndpointInput = z.input<typeof CreateWebhookEndpointBody>;
export type UpdateWebhookEndpointInput = z.input<typeof UpdateWebhookEndpointBody>;
export type UpdateLicenseInput = z.input<typeof UpdateLicenseBody>;
export type CreateCustomerInput = z.input<typeof CreateCustomerBody>;
export type UpdateCustomerInput = z.input<typeof UpdateCustomerBody>;
export type CreateManagementKeyInput = z.input<typeof CreateManagementKeyBody>;
export type Caller = z.output<typeof CallerResource>;
