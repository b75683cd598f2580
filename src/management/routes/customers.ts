/**
 * /api/v1/customers: who licenses are sold to. List and search them (e-mail, name, company name,
 * license key), create and change them; a customer's licenses are GET /api/v1/licenses?customer_id=.
 * Licenses link customers when they are issued, changed or imported (../customer-links.ts).
 */
import { activityStatement } from "../../db/activity";
import {
  customerInsertStatement,
  customerUpdateStatement,
  findCustomer,
  findCustomersByEmail,
  isCustomerConflict,
  listCustomers,
  nextCustomerId,
} from "../../db/customers";
import { ApiError } from "../../errors";
import {
  CreateCustomerBody,
  CustomerDetailResource,
  CustomerPath,
  ListCustomersQuery,
  UpdateCustomerBody,
  customerValues,
} from "../../models/customer";
import { page } from "../../models/page";
import { changedValues } from "../changed-values";
import { customerChanged, withCustomerRetry } from "../customer-links";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";

/** 409 when the company has another customer with this e-mail. */
async function checkEmailFree(db: D1Database, companyId: number, email: string | undefined, customerId: number | null): Promise<void> {
  if (!email) return;
  const [holder] = await findCustomersByEmail(db, companyId, [email]);
  if (holder && holder.id !== customerId)
    throw new ApiError("conflict", `Customer ${holder.id} of company ${companyId} has the e-mail ${JSON.stringify(holder.email)}`);
}

export const managementCustomerRoutes = [
  managementRoute({
    method: "get",
    path: "/api/v1/customers",
    operationId: "listCustomers",
    tag: "Customers",
    summary: "List and search customers: by a part of their e-mail, name, company name or license key, by e-mail, by company",
    description:
      "`q` matches a part of the e-mail, first name, last name, full name, company name, or of the key of one of the customer's " +
      "licenses; case-insensitive for ASCII letters (other letters match as written); `%` and `_` are plain characters. `email` is " +
      "exact (case-insensitive). Each customer comes with its license_count.",
    query: ListCustomersQuery,
    response: page(CustomerDetailResource),
    async handler({ query, env }) {
      return pageBody(await listCustomers(env.DB, query));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/customers",
    operationId: "createCustomer",
    errors: { conflict: "the company has another customer with this e-mail" },
    tag: "Customers",
    summary: "Create a customer of a company (at most one per e-mail in a company)",
    description: "Issue licenses to it with `customer_id`. Another customer of the company with the same e-mail (case-insensitive) is 409.",
    body: CreateCustomerBody,
    response: CustomerDetailResource,
    status: 201,
    async handler({ body, env, actor }) {
      const { company_id: companyId, ...input } = body;
      const values = customerValues(input);
      const id = await withCustomerRetry(async () => {
        await checkEmailFree(env.DB, companyId, values.email, null);
        const next = await nextCustomerId(env.DB);
        await env.DB.batch([
          customerInsertStatement(env.DB, next, companyId, values),
          activityStatement(env.DB, actor, { action: "customer.created", target: { type: "customer", id: next }, after: body }),
        ]);
        return next;
      }).catch((error: unknown) => {
        if (isCustomerConflict(error)) throw new ApiError("conflict", "Another customer was created with this e-mail meanwhile");
        throw error;
      });
      return orNotFound(await findCustomer(env.DB, id), "Customer", id);
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/customers/{customer_id}",
    operationId: "getCustomer",
    tag: "Customers",
    summary: "Get a customer (its licenses: GET /api/v1/licenses?customer_id=)",
    params: CustomerPath,
    response: CustomerDetailResource,
    async handler({ params, env }) {
      return orNotFound(await findCustomer(env.DB, params.customer_id), "Customer", params.customer_id);
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/customers/{customer_id}",
    operationId: "updateCustomer",
    errors: { conflict: "the company has another customer with this e-mail" },
    tag: "Customers",
    summary: "Change a customer: every license of the customer answers the new values from the next request on",
    description:
      "The counter objects of the customer's licenses, which answer the customer in license objects, are told before this answers. " +
      "An e-mail another customer of the " +
      'company has is 409. To erase a customer\'s personal data, set its fields to "".',
    params: CustomerPath,
    body: UpdateCustomerBody,
    response: CustomerDetailResource,
    async handler({ params, body, env, actor }) {
      const stored = orNotFound(await findCustomer(env.DB, params.customer_id), "Customer", params.customer_id);
      await checkEmailFree(env.DB, stored.company_id, body.email, stored.id);
      const change = changedValues(stored, body);
      try {
        await env.DB.batch([
          customerUpdateStatement(env.DB, stored.id, body),
          activityStatement(env.DB, actor, { action: "customer.updated", target: { type: "customer", id: stored.id }, ...change }),
        ]);
      } catch (error) {
        if (isCustomerConflict(error)) throw new ApiError("conflict", "Another customer of the company took this e-mail meanwhile");
        throw error;
      }
      if (Object.keys(change.after).length > 0) await customerChanged(env, stored.id);
      return orNotFound(await findCustomer(env.DB, stored.id), "Customer", stored.id);
    },
  }),
];
