/**
 * The field schemas every management resource is built from: texts, codes, counts, flags, dates,
 * ids and metadata, each with its validation message in the vendor's words. Bodies built from them
 * are `.strict()`: a misspelt `max_consumption` is validation_error, never a silently ignored field.
 */
import { z } from "zod";
import type { ConsumptionPeriod } from "../counter/consumption-rules";
import { typeMessage } from "../license-api/schemas";
import { urlValueTypes } from "../openapi/url-value-types";

export const text = (name: string, max = 256) =>
  z.string(typeMessage(name, "a string")).min(1, `${name} must not be empty`).max(max, `${name} must be at most ${max} characters`);

/** Codes and short codes appear in URLs and client configuration: keep them plain. */
export const code = (name: string) =>
  text(name, 64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, `${name} may contain letters, digits, ".", "_" and "-"`);

export const count = (name: string) =>
  z.number(typeMessage(name, "a number")).int(`${name} must be an integer`).min(0, `${name} must not be negative`);

export const flag = (name: string) => z.boolean(typeMessage(name, "true or false"));

/** Free text of at most 256 characters that may be empty (names, phone numbers). */
export const optionalText = (name: string) =>
  z.string(typeMessage(name, "a string")).max(256, `${name} must be at most 256 characters`).default("");

/** An ISO-8601 date-time with an offset, stored normalised to UTC ("2026-01-31T12:00:00.000Z"). */
export const instant = (name: string) =>
  z.iso
    .datetime({ offset: true, ...typeMessage(name, "an ISO-8601 date-time, e.g. 2026-12-31T23:59:59Z") })
    .transform((value) => new Date(value).toISOString());

/**
 * A positive integer in a path or query string: decimal digits, no sign, no leading zero. Number()
 * would also read "0x1", "1e0", "1.0", " 1" and "01" as 1; refusing them gives every resource one
 * spelling, so caches, logs and access rules in front of the API see the id the handler uses.
 * At most `max`, and never above 2^53 - 1: every id here is exact in JSON and in JavaScript
 * (docs/management-api.md "Ids").
 */
export const decimal = (name: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string(typeMessage(name, "a positive integer"))
    .regex(/^[1-9][0-9]{0,15}$/, `${name} must be a positive integer in decimal digits (e.g. 42)`)
    .transform(Number)
    .pipe(z.number().max(max, max === Number.MAX_SAFE_INTEGER ? `${name} must be at most 2^53 - 1` : `${name} must be at most ${max}`))
    .register(urlValueTypes, { type: "integer", minimum: 1, maximum: max });

/** A numeric id in a JSON body: a number, not a numeric string (zod's int() takes safe integers only). */
export const bodyId = (name: string) =>
  z.number(typeMessage(name, "a number")).int(`${name} must be an integer of at most 2^53 - 1`).positive(`${name} must be positive`);

/** An id as answered: an integer, exact in JSON (at most 2^53 - 1). */
export const resourceId = () => z.number().int();

/**
 * Why a resource, as it stands, refuses every request it is for (an allowance of 0, a date that has
 * passed): empty when nothing does. It works as set; the vendor may have meant it (src/models/unworkable-settings.ts).
 */
export const warnings = z.array(z.string());

/** Metadata: any JSON object, answered to clients exactly as stored (license, feature and product objects). */
export const metadata = z.record(z.string(), z.unknown(), typeMessage("metadata", "a JSON object"));

/** Metadata as answered. */
export const metadataResource = z.record(z.string(), z.unknown());

export const CONSUMPTION_PERIODS = ["daily", "weekly", "monthly", "annually"] as const satisfies readonly ConsumptionPeriod[];
export const consumptionPeriod = z.enum(CONSUMPTION_PERIODS).meta({ id: "ConsumptionPeriod" });

/**
 * A PATCH body: every field of `shape` optional, strict, and at least one of them sent. A field's
 * schema is the one its resource is created with, so a value valid at creation is valid here.
 */
export function changes<T extends z.ZodRawShape>(shape: T) {
  return z
    .object(shape)
    .partial()
    .strict()
    .refine(
      (body: Record<string, unknown>) => Object.values(body).some((value) => value !== undefined),
      "send at least one field to change",
    );
}
