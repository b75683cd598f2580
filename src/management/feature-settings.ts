/** A license feature's settings as they will be, checked where a write sets them (src/models/unworkable-settings.ts). */
import type { ProductFeatureResource } from "../models/product-feature";
import { assertWorkable } from "../models/unworkable-settings";

/**
 * validation_error when a license feature's settings as they will be (its own values where set, not
 * null; else the product feature's) cannot work. What it sends itself are its own values; `at` is
 * where they are in the body.
 */
export function checkFeatureSettings(product: ProductFeatureResource, overrides: Record<string, unknown>, at: string[] = []): void {
  const own = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined && value !== null));
  assertWorkable({ ...product, ...own }, (field) => field in own, at);
}
