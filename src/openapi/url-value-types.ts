/**
 * What a value read from a URL's text (a path or query parameter) stands for, as the OpenAPI
 * document describes it: the value's zod schema validates the text ("42", "true"), and this
 * registry names the type the text spells ({ type: "integer" }), which is what a generated client
 * types and sends. The builder puts it in place of the text's own schema (./build-openapi-document.ts).
 */
import { z } from "zod";

export const urlValueTypes = z.registry<{ type: "integer" | "boolean"; minimum?: number; maximum?: number; default?: number }>();
