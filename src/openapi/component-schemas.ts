/**
 * JSON Schemas for the OpenAPI document, converted by zod's own z.toJSONSchema. A schema named in
 * its model file (zod's `.meta({ id: "License" })`) becomes one entry of `components.schemas`, and
 * every place that uses it a `$ref` to that entry: generated clients get one named type per
 * resource. A path or query value keeps the type its text spells (../openapi/url-value-types.ts).
 */
import { z } from "zod";
import { urlValueTypes } from "./url-value-types";

export type JsonSchema = Record<string, unknown>;

const COMPONENTS = "#/components/schemas/";

export class ComponentSchemas {
  readonly schemas: Record<string, JsonSchema> = {};

  /** The JSON Schema (2020-12, OpenAPI 3.1's dialect) of what a client sends: inputs before zod's transforms. */
  of(schema: z.ZodType): JsonSchema {
    const {
      $schema: _dialect,
      $defs,
      ...root
    } = z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io: "input",
      unrepresentable: "any",
      override: ({ zodSchema, jsonSchema }) => {
        const spelled = urlValueTypes.get(zodSchema);
        if (!spelled) return;
        for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
        Object.assign(jsonSchema, spelled);
      },
    }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    for (const [id, definition] of Object.entries($defs ?? {})) this.#add(id, toComponentRefs(definition) as JsonSchema);
    return toComponentRefs(root) as JsonSchema;
  }

  /** One name, one shape: two different schemas named alike would make one of them lie. */
  #add(id: string, definition: JsonSchema): void {
    const known = this.schemas[id];
    if (known && JSON.stringify(known) !== JSON.stringify(definition))
      throw new Error(`Two different schemas are named ${JSON.stringify(id)} (.meta({ id })): give each its own name`);
    this.schemas[id] = definition;
  }
}

/** The object inside refinements and transforms, whose keys become path or query parameters. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  if (schema instanceof z.ZodPipe) return objectShape(schema.in as z.ZodType);
  throw new Error("parameters must be described by a zod object");
}

/** zod refers to named schemas inside the converted schema's $defs; the document keeps them in components. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === "$ref" && typeof item === "string" && item.startsWith("#/$defs/")
        ? COMPONENTS + item.slice("#/$defs/".length)
        : toComponentRefs(item),
    ]),
  );
}
