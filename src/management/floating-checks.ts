/** The floating settings a write leaves in place must go together (docs/management-api.md "Floating settings"). */
import { ApiError } from "../errors";
import type { ProductFeatureResource } from "../models/product-feature";
import { floatingProblem } from "../models/rule-fields";

/** validation_error when the floating values a write leaves in place do not go together. */
export function checkFloating(values: Parameters<typeof floatingProblem>[0]): void {
  const problem = floatingProblem(values);
  if (problem) throw new ApiError("validation_error", problem);
}

/** A license feature's floating values as they will be: its own where set (not null), else the product feature's. */
export function effectiveFeatureFloating(
  product: Pick<ProductFeatureResource, "is_floating_cloud" | "floating_users">,
  overrides: { is_floating_cloud?: boolean | null | undefined; floating_users?: number | null | undefined },
) {
  return {
    is_floating_cloud: overrides.is_floating_cloud ?? product.is_floating_cloud,
    floating_users: overrides.floating_users ?? product.floating_users,
  };
}
