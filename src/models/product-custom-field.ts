/**
 * A product custom field: every license of the product has it, with its default value unless the
 * license sets its own (`custom_fields` when issuing or changing a license).
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { resourceId, text } from "./fields";

export const CustomFieldDataType = z.enum(["number", "text", "date/time"]).meta({ id: "CustomFieldDataType" });

/** A custom field's value as a license holds it (at most 1024 characters). */
export const customFieldValue = z.string(typeMessage("custom field value", "a string")).max(1024);

/** Values by field name, as issuing, changing and importing a license take them. */
export const customFieldValues = <V extends z.ZodType>(value: V) => z.record(text("custom field name", 128), value);

export const CreateProductCustomFieldBody = z
  .object({
    name: text("name", 128),
    data_type: CustomFieldDataType.nullable().default(null),
    default_value: z.string(typeMessage("default_value", "a string")).max(1024).default(""),
  })
  .strict();
export type CreateProductCustomFieldBody = z.infer<typeof CreateProductCustomFieldBody>;

export const ProductCustomFieldResource = z
  .object({
    id: resourceId(),
    product_id: resourceId(),
    name: z.string(),
    data_type: CustomFieldDataType.nullable(),
    default_value: z.string(),
  })
  .meta({ id: "ProductCustomField" });
export type ProductCustomFieldResource = z.infer<typeof ProductCustomFieldResource>;

/** One custom field of a license's product, with the license's value (or the product default). */
export const CustomFieldValueResource = z
  .object({ name: z.string(), data_type: CustomFieldDataType.nullable(), value: z.string() })
  .meta({ id: "CustomFieldValue" });
export type CustomFieldValueResource = z.infer<typeof CustomFieldValueResource>;
