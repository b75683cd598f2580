/**
 * The customer a license was sold to (answered as the license's `customer`; customer_license_users
 * finds a customer's licenses by `email`). Every field is text, "" when unknown; metadata a JSON object.
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { metadata, metadataResource, optionalText } from "./fields";

/** A customer's text fields, in table order (schema.sql, license_customers). */
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

const textFields = <T extends z.ZodType>(field: (name: CustomerTextField) => T) =>
  Object.fromEntries(CUSTOMER_TEXT_FIELDS.map((name) => [name, field(name)])) as Record<CustomerTextField, T>;

export const CustomerInput = z
  .object({
    ...textFields(optionalText),
    email: z.union([z.email(typeMessage("email", "an e-mail address")).max(256), z.literal("")]).default(""),
    metadata: metadata.default({}),
  })
  .strict();
export type CustomerInput = z.infer<typeof CustomerInput>;

export const CustomerResource = z.object({ ...textFields(() => z.string()), metadata: metadataResource }).meta({ id: "Customer" });
export type CustomerResource = z.infer<typeof CustomerResource>;
