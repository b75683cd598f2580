/** GET /api/v4/customer_license_users: the license users of one customer's licenses of a product. */
import { findCustomerLicenses } from "../../db/customers";
import { findProductDetails } from "../../db/products";
import { ApiError } from "../../errors";
import { customerBody } from "../license-body";
import { licenseApiRoute } from "../license-api-route";
import { accessibleProduct } from "../resolve-license";
import { CustomerLicenseUsersBody } from "../response-schemas";
import { CustomerLicenseUsersQuery } from "../schemas";

/**
 * `customer` is the customer's email (case-insensitive), among the customers of the product's
 * company (the vendor keeps them with the management API). Precedence: unknown_product →
 * invalid_product_auth_method (a key-based product has no license users) → customer_does_not_exist
 * (the company has no customer with this email). A known customer without licenses of the product
 * has no users ([]).
 * There are no orders here (order_id 0) and no plaintext passwords (initial_password "").
 */
export const customerLicenseUsers = licenseApiRoute({
  method: "get",
  path: "/api/v4/customer_license_users",
  operationId: "listCustomerLicenseUsers",
  summary: "The license users of a customer's licenses of a product",
  query: CustomerLicenseUsersQuery,
  response: CustomerLicenseUsersBody,
  reads: "none",
  async handler({ env, apiKey, query }) {
    // Another company's product is unknown_product, exactly as one that does not exist.
    const product = accessibleProduct(await findProductDetails(env.DB, query.product), apiKey);
    if (product.authorizationMethod !== "user") throw new ApiError("invalid_product_auth_method");
    const { customer, users } = await findCustomerLicenses(env.DB, query.customer, product.id);
    if (!customer) throw new ApiError("customer_does_not_exist");
    return {
      company: { id: product.companyId },
      customer: customerBody(customer),
      users: users.map(({ user, orderStoreId, maxActivations, allowUnlimitedActivations, timesActivated }) => ({
        email: user.username,
        first_name: user.firstName,
        last_name: user.lastName,
        phone_number: user.phoneNumber,
        is_active: true,
        is_initial_password: user.isInitialPassword,
        initial_password: "" as const,
        allow_unlimited_activations: allowUnlimitedActivations,
        max_activations: maxActivations,
        total_activations: timesActivated,
        license_id: user.licenseId,
        order_id: 0,
        order_store_id: orderStoreId ?? "",
      })),
    };
  },
});
