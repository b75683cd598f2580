/**
 * A customer: who licenses are sold to, a customer of one company (the company of the products of
 * its licenses). Within a company a customer is found again by e-mail, case-insensitively; a
 * customer without an e-mail only by its id. The License API answers a license's customer in the
 * license object, and customer_license_users finds a customer's licenses by e-mail. Every text
 * field is "" when unknown; metadata is a JSON object.
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { bodyId, changes, decimal, metadata, metadataResource, resourceId, text } from "./fields";
import { pagination } from "./page";

/** A customer's text fields, in table order (schema.sql, customers). */
export const CUSTOMER_TEXT_FIELDS = [
  "email",
  "first_name",
  "last_name",
  "company_name",
  "phone",
  "reference",
  "address",
  "city",
  "postcode",
  "state",
  "country",
] as const;
type CustomerTextField = (typeof CUSTOMER_TEXT_FIELDS)[number];

const freeText = (name: string) => z.string(typeMessage(name, "a string")).max(256, `${name} must be at most 256 characters`);

/** What a vendor writes of a customer: every field optional here; each has its default ("", {}) where a customer is created. */
const customerFields = {
  ...(Object.fromEntries(CUSTOMER_TEXT_FIELDS.map((name) => [name, freeText(name)])) as Record<
    CustomerTextField,
    ReturnType<typeof freeText>
  >),
  email: z.union([z.email(typeMessage("email", "an e-mail address")).max(256), z.literal("")], typeMessage("email", "an e-mail address")),
  metadata,
};

/**
 * A customer as a license names it when it is issued, changed or imported: found by `email` among
 * the company's customers (the fields sent change it, except on import, which never changes what
 * is here), or created with the fields sent. Without an e-mail, always created.
 */
export const CustomerInput = z.object(customerFields).partial().strict();
export type CustomerInput = z.infer<typeof CustomerInput>;

/** Every field of a customer being created: the defaults for what was not sent. */
export const customerValues = (input: CustomerInput): Required<CustomerInput> => ({
  ...(Object.fromEntries(CUSTOMER_TEXT_FIELDS.map((name) => [name, ""])) as Record<CustomerTextField, string>),
  metadata: {},
  ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
});

export const CreateCustomerBody = CustomerInput.extend({
  /** The company whose customer it is: the company of the products whose licenses it may hold (default 1). */
  company_id: bodyId("company_id").default(1),
}).strict();
export type CreateCustomerBody = z.infer<typeof CreateCustomerBody>;

/** Changes a customer; every license of the customer answers the new values from the next request on. */
export const UpdateCustomerBody = changes(customerFields);
export type UpdateCustomerBody = z.infer<typeof UpdateCustomerBody>;

export const CustomerPath = z.object({ customer_id: decimal("customer_id") });

/**
 * Customers by `q`: a part of the e-mail, first or last name, company name, or of the key of one of
 * their licenses, case-insensitive (ASCII letters; other letters match as written); by exact
 * `email` (case-insensitive); by `company_id`.
 */
export const ListCustomersQuery = z
  .object({
    ...pagination,
    q: text("q", 128).optional(),
    email: text("email").optional(),
    company_id: decimal("company_id").optional(),
  })
  .strict();
export type ListCustomersQuery = z.infer<typeof ListCustomersQuery>;

export const CustomerResource = z
  .object({
    id: resourceId(),
    company_id: resourceId(),
    ...(Object.fromEntries(CUSTOMER_TEXT_FIELDS.map((name) => [name, z.string()])) as Record<CustomerTextField, z.ZodString>),
    metadata: metadataResource,
    created_at: z.string(),
  })
  .meta({ id: "Customer" });
export type CustomerResource = z.infer<typeof CustomerResource>;

/** A customer as listed and got: with how many licenses it holds (archived ones included; GET /api/v1/licenses?customer_id= lists them). */
export const CustomerDetailResource = CustomerResource.extend({ license_count: z.number().int() }).meta({ id: "CustomerDetail" });
export type CustomerDetailResource = z.infer<typeof CustomerDetailResource>;
