/** Every authenticated License API endpoint: the router registers these and the OpenAPI document describes these. */
import type { LicenseApiRoute } from "./license-api-route";
import { activateLicense, deactivateLicense } from "./routes/activation";
import { addConsumption } from "./routes/add-consumption";
import { addFeatureConsumption } from "./routes/add-feature-consumption";
import { checkLicense, checkLicenseFeature } from "./routes/check-license";
import { customerLicenseUsers } from "./routes/customer-license-users";
import { getDeviceVariables, trackDeviceVariables } from "./routes/device-variables";
import { featureBorrow, featureRelease, floatingBorrow, floatingRelease } from "./routes/floating";
import { changePassword, userLicenses } from "./routes/license-users";
import { activateOffline, deactivateOffline } from "./routes/offline-activation";
import { productDetails } from "./routes/product-details";
import { trialKey } from "./routes/trial-key";
import { installationFile, versions } from "./routes/versions";

export const licenseApiRoutes: readonly LicenseApiRoute[] = [
  activateLicense,
  deactivateLicense,
  checkLicense,
  checkLicenseFeature,
  addConsumption,
  addFeatureConsumption,
  productDetails,
  userLicenses,
  customerLicenseUsers,
  getDeviceVariables,
  trackDeviceVariables,
  changePassword,
  floatingBorrow,
  floatingRelease,
  featureBorrow,
  featureRelease,
  trialKey,
  activateOffline,
  deactivateOffline,
  versions,
  installationFile,
];
