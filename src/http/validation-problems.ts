/**
 * Validation messages that say how to fix the request, for both APIs and the bulk imports:
 * - a field is named once, by its path, and a type error says what was expected and what came
 *   ("max_consumption: expected a number, got the string \"100\"");
 * - an unknown field or enum value suggests the nearest known one
 *   ("Unrecognized key \"max_activation\": did you mean \"max_activations\"?");
 * - a required field that is absent while a near spelling of it is present says so (the License
 *   API keeps unknown fields, so a misspelt one would otherwise only read as missing).
 * zod's issues carry the schema that raised them only while they are being made, so the
 * suggestions come from an error map passed to each parse (`explainedParse`).
 */
import type { z } from "zod";

/** How a value that came in is shown in a message: `the string "100"`, `the number 5`, `true`, `null`, `an object`. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number") return `the number ${value}`;
  if (value === null || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "an array";
  return `an ${typeof value}`;
}

/** The edit distance between two words (insertions, deletions, substitutions), at most `limit + 1`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** Spelling aside: "maxActivations", "max-activations" and "MAX_ACTIVATIONS" are all max_activations. */
const folded = (word: string) => word.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * The known word `word` most likely meant, or null: the same word up to case and separators, else
 * the nearest within a third of its length in edits (at least 1, at most 3).
 */
export function nearest(word: string, known: readonly string[]): string | null {
  const same = known.find((candidate) => folded(candidate) === folded(word));
  if (same) return same;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const d = distance(folded(word), folded(candidate), limit);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

const quoted = (words: readonly string[]) => words.map((word) => JSON.stringify(word)).join(", ");

/** The raw issue zod hands an error map: what it is about, and (for objects) the schema that raised it. */
interface RawIssue {
  code: string;
  input?: unknown;
  keys?: string[];
  values?: readonly unknown[];
  expected?: string;
  message?: string;
  inst?: unknown;
}

/** The keys an object schema knows (its shape), when `schema` is one. */
function knownKeys(schema: unknown): string[] {
  const shape = (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** The error map of every parse: messages for the issues zod would describe in its own words. */
function explain(issue: RawIssue): string | undefined {
  if (issue.code === "unrecognized_keys" && issue.keys) {
    const known = knownKeys(issue.inst);
    const one = (key: string) => {
      const meant = nearest(key, known);
      return meant ? `${JSON.stringify(key)}: did you mean ${JSON.stringify(meant)}?` : JSON.stringify(key);
    };
    return issue.keys.length === 1 ? `Unrecognized key ${one(issue.keys[0]!)}` : `Unrecognized keys ${issue.keys.map(one).join("; ")}`;
  }
  if (issue.code === "invalid_value" && issue.values?.every((value) => typeof value === "string")) {
    const values = issue.values as string[];
    const meant = typeof issue.input === "string" ? nearest(issue.input, values) : null;
    const got = issue.input === undefined ? "nothing" : describeValue(issue.input);
    return `expected one of ${quoted(values)}, got ${got}${meant ? `: did you mean ${JSON.stringify(meant)}?` : ""}`;
  }
  if (issue.code === "invalid_type" && issue.input !== undefined && issue.expected)
    return `expected ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}, got ${describeValue(issue.input)}`;
  return undefined;
}

/**
 * One problem as answered: `path: message`, or, when the message already begins with the field's
 * name ("max_consumption must not be negative"), the message with the full path in the name's
 * place, so that no field is named twice.
 */
export function problemText(path: readonly PropertyKey[], message: string): string {
  if (path.length === 0) return message;
  const where = path.map(String).join(".");
  const name = String(path.at(-1));
  return message.startsWith(`${name} `) ? `${where}${message.slice(name.length)}` : `${where}: ${message}`;
}

/**
 * A required field that is absent while the input has a near spelling of it (that no other issue
 * names already): the hint to add to its message (` (the request has "hardwareId": did you mean
 * "hardware_id"?)`), or "".
 */
function absentFieldHint(input: unknown, path: readonly PropertyKey[], named: ReadonlySet<string>): string {
  let parent: unknown = input;
  for (const key of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown> | null)?.[key];
  if (typeof parent !== "object" || parent === null || Array.isArray(parent)) return "";
  const name = String(path.at(-1));
  const where = path.slice(0, -1).map(String).join(".");
  const near = Object.keys(parent).find((key) => key !== name && !named.has(`${where}/${key}`) && nearest(key, [name]) === name);
  return near ? ` (the request has ${JSON.stringify(near)}: did you mean ${JSON.stringify(name)}?)` : "";
}

/** zod's safeParse with these messages; the issues keep their input (an absent field's is undefined). */
export function explainedParse<S extends z.ZodType>(schema: S, input: unknown): z.ZodSafeParseResult<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true, error: explain });
  if (result.success) return result;
  const { issues } = result.error;
  // Unknown keys the answer names already (and suggests for), by the path of their object.
  const named = new Set(
    issues.flatMap((issue) =>
      issue.code === "unrecognized_keys" ? issue.keys.map((key) => `${issue.path.map(String).join(".")}/${key}`) : [],
    ),
  );
  for (const issue of issues) {
    const absent = issue.code === "invalid_type" && issue.input === undefined && issue.path.length > 0;
    if (absent) Object.assign(issue, { message: issue.message + absentFieldHint(input, issue.path, named) });
  }
  return result;
}
