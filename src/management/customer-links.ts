/**
 * How a license names its customer (docs/management-api.md "Customers"), when it is issued or
 * changed: `customer_id` (an existing customer of the product's company), or `customer` (the
 * company's customer with that e-mail, changed by the fields sent, or a new customer), or null
 * (none). The customer's writes go into the license's own batch, before the license, so that the
 * license and its customer commit together.
 *
 * A new customer is written under an id read beforehand (the license must name it in the same
 * batch). Should another write take that id, or the e-mail, meanwhile, the batch fails as a
 * customer conflict and withCustomerRetry reads and writes once more.
 */
import type { ManagementActor } from "../auth/management-roles";
import { invalidateLicenseCounters } from "../counter/counter-stubs";
import { activityStatement } from "../db/activity";
import {
  customerInsertStatement,
  customerLicenseIds,
  customerUpdateStatement,
  findCustomer,
  findCustomersByEmail,
  isCustomerConflict,
  nextCustomerId,
} from "../db/customers";
import { ApiError } from "../errors";
import { customerValues, type CustomerInput } from "../models/customer";
import { changedValues } from "./changed-values";
import { orNotFound } from "./or-not-found";

export interface CustomerLink {
  /** The license's customer_id: a customer here, or the one `writes` creates; null: none. */
  customerId: number | null;
  /** What commits before the license: a new customer, or the fields sent to one found by e-mail, each with its activity entry. */
  writes: D1PreparedStatement[];
  /** True when `writes` change an existing customer: its other licenses must be told (customerChanged). */
  changesCustomer: boolean;
}

/** What a license body says of its customer: undefined for both leaves it as it is. */
export interface CustomerChoice {
  customer_id?: number | null | undefined;
  customer?: CustomerInput | null | undefined;
}

/** The customer link a body asks for; undefined when it names no customer (a PATCH then leaves the license's as it is). */
export async function linkCustomer(
  env: Env,
  actor: ManagementActor,
  companyId: number,
  choice: CustomerChoice,
): Promise<CustomerLink | undefined> {
  if (choice.customer_id !== undefined && choice.customer_id !== null) {
    const customer = orNotFound(await findCustomer(env.DB, choice.customer_id), "Customer", choice.customer_id);
    if (customer.company_id !== companyId)
      throw new ApiError(
        "validation_error",
        `customer_id: customer ${customer.id} is a customer of company ${customer.company_id}, and this license's product is company ${companyId}'s`,
      );
    return { customerId: customer.id, writes: [], changesCustomer: false };
  }
  if (choice.customer_id === null || choice.customer === null) return { customerId: null, writes: [], changesCustomer: false };
  if (choice.customer === undefined) return undefined;

  const input = choice.customer;
  const [found] = input.email ? await findCustomersByEmail(env.DB, companyId, [input.email]) : [];
  if (found) {
    const change = changedValues(found, input);
    if (Object.keys(change.after).length === 0) return { customerId: found.id, writes: [], changesCustomer: false };
    return {
      customerId: found.id,
      changesCustomer: true,
      writes: [
        customerUpdateStatement(env.DB, found.id, change.after),
        activityStatement(env.DB, actor, { action: "customer.updated", target: { type: "customer", id: found.id }, ...change }),
      ],
    };
  }
  const id = await nextCustomerId(env.DB);
  const values = customerValues(input);
  return {
    customerId: id,
    changesCustomer: false,
    writes: [
      customerInsertStatement(env.DB, id, companyId, values),
      activityStatement(env.DB, actor, {
        action: "customer.created",
        target: { type: "customer", id },
        after: { company_id: companyId, ...values },
      }),
    ],
  };
}

/**
 * After a customer changed: the counter objects of its licenses (but `except`, which its caller
 * tells itself) forget what they knew of it before the change answers, since the License API
 * answers the customer in every license object.
 */
export async function customerChanged(env: Env, customerId: number, except: number | null = null): Promise<void> {
  await invalidateLicenseCounters(
    env,
    (await customerLicenseIds(env.DB, customerId)).filter((id) => id !== except),
  );
}

/** Runs `attempt` (which links a customer and writes), once more if another write took the new customer's id or e-mail first. */
export async function withCustomerRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isCustomerConflict(error)) throw error;
    return attempt();
  }
}
