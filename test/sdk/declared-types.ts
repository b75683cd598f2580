// The official SDK's response types (dist/src/response-types.d.ts of the installed package), read
// as data, and a checker that compares a real response with one of them field by field. The
// declarations use a small part of TypeScript (object types, unions, intersections, arrays,
// literals, named types, one enum), parsed here so that a test can ask "does this body have every
// field the SDK declares, with the declared JavaScript type?" and fail on the next SDK's new field.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type DeclaredType =
  | { kind: "primitive"; name: "string" | "number" | "boolean" | "null" | "undefined" | "unknown" | "Date" }
  | { kind: "literal"; value: string | number | boolean }
  | { kind: "reference"; name: string }
  | { kind: "union"; members: DeclaredType[] }
  | { kind: "intersection"; members: DeclaredType[] }
  | { kind: "array"; element: DeclaredType }
  | { kind: "object"; properties: DeclaredProperty[]; index: DeclaredType | null }
  | { kind: "enum"; values: string[] };

export interface DeclaredProperty {
  name: string;
  optional: boolean;
  type: DeclaredType;
}

/** The installed SDK's response-types.d.ts. */
export function sdkResponseTypesPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@licensespring/node-sdk")), "response-types.d.ts");
}

const PRIMITIVES = new Set(["string", "number", "boolean", "null", "undefined", "unknown", "Date"]);

/** Parses the declarations: every `type` alias and `enum`, by name. Throws on anything it does not understand. */
export function parseDeclarations(source: string): Map<string, DeclaredType> {
  const tokens = tokenize(source);
  let at = 0;
  const peek = (offset = 0) => tokens[at + offset];
  const next = () => {
    const token = tokens[at++];
    if (token === undefined) throw new Error("unexpected end of declarations");
    return token;
  };
  const expect = (text: string) => {
    const token = next();
    if (token !== text) throw new Error(`expected ${JSON.stringify(text)}, found ${JSON.stringify(token)} (token ${at - 1})`);
  };

  function type(): DeclaredType {
    if (peek() === "|") next();
    const members = [intersection()];
    while (peek() === "|") {
      next();
      members.push(intersection());
    }
    return members.length === 1 ? members[0]! : { kind: "union", members };
  }
  function intersection(): DeclaredType {
    const members = [postfix()];
    while (peek() === "&") {
      next();
      members.push(postfix());
    }
    return members.length === 1 ? members[0]! : { kind: "intersection", members };
  }
  function postfix(): DeclaredType {
    let result = primary();
    while (peek() === "[" && peek(1) === "]") {
      next();
      next();
      result = { kind: "array", element: result };
    }
    return result;
  }
  function primary(): DeclaredType {
    const token = next();
    if (token === "(") {
      const inner = type();
      expect(")");
      return inner;
    }
    if (token === "{") return objectType();
    if (/^['"]/.test(token)) return { kind: "literal", value: token.slice(1, -1) };
    if (/^-?\d/.test(token)) return { kind: "literal", value: Number(token) };
    if (token === "true" || token === "false") return { kind: "literal", value: token === "true" };
    if (PRIMITIVES.has(token)) return { kind: "primitive", name: token as "string" };
    if (/^[A-Za-z_$][\w$]*$/.test(token)) return { kind: "reference", name: token };
    throw new Error(`unexpected ${JSON.stringify(token)} in a type (token ${at - 1})`);
  }
  function objectType(): DeclaredType {
    const properties: DeclaredProperty[] = [];
    let index: DeclaredType | null = null;
    while (peek() !== "}") {
      if (peek() === "[") {
        next();
        next(); // the key's name
        expect(":");
        next(); // the key's type (string)
        expect("]");
        expect(":");
        index = type();
      } else {
        const name = next();
        const optional = peek() === "?";
        if (optional) next();
        expect(":");
        properties.push({ name, optional, type: type() });
      }
      if (peek() === ";" || peek() === ",") next();
    }
    expect("}");
    return { kind: "object", properties, index };
  }

  const declarations = new Map<string, DeclaredType>();
  while (at < tokens.length) {
    const token = next();
    if (token === "export" || token === "declare") continue;
    if (token === "type") {
      const name = next();
      expect("=");
      declarations.set(name, type());
      expect(";");
    } else if (token === "enum") {
      const name = next();
      expect("{");
      const values: string[] = [];
      while (peek() !== "}") {
        next(); // member name
        expect("=");
        values.push(next().slice(1, -1));
        if (peek() === ",") next();
      }
      expect("}");
      declarations.set(name, { kind: "enum", values });
    } else if (token === "{") {
      expect("}"); // export {};
      expect(";");
    } else {
      throw new Error(`unexpected ${JSON.stringify(token)} at the top level (token ${at - 1})`);
    }
  }
  return declarations;
}

function tokenize(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  const pattern = /\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[A-Za-z_$][\w$]*|[{}()[\];:?|&,=<>])/y;
  const tokens: string[] = [];
  let at = 0;
  while (at < withoutComments.length) {
    if (/^\s*$/.test(withoutComments.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(withoutComments);
    if (!match) throw new Error(`cannot read the declarations at ${JSON.stringify(withoutComments.slice(at, at + 40))}`);
    tokens.push(match[1]!);
    at = pattern.lastIndex;
  }
  return tokens;
}

export function loadSdkResponseTypes(): Map<string, DeclaredType> {
  return parseDeclarations(readFileSync(sdkResponseTypesPath(), "utf8"));
}

/**
 * What comparing a value with a declared type found. Paths are field paths from the response's
 * root, array indices written `[]` (e.g. `product_features[].metadata`).
 */
export interface Comparison {
  /** A required field that is missing, or a value of another JavaScript type than declared. */
  errors: string[];
  /** Optional fields (`name?:`, or declared `| undefined`) the value does not carry. */
  absentOptional: string[];
}

export interface CompareOptions {
  /** Fields (a path, or a field name matched at any depth) that may also be null although the declaration does not say so, each with its reason. */
  nullAllowed?: Record<string, string>;
}

export function compareWithDeclared(
  value: unknown,
  typeName: string,
  declarations: Map<string, DeclaredType>,
  options: CompareOptions = {},
): Comparison {
  const declared = declarations.get(typeName);
  if (!declared) throw new Error(`the SDK declares no type ${typeName}`);
  const result = compare(value, declared, "", declarations, options);
  return { errors: unique(result.errors), absentOptional: unique(result.absentOptional).sort() };
}

const unique = (items: string[]) => [...new Set(items)];
const at = (path: string) => path || "(root)";
const join2 = (path: string, name: string) => (path ? `${path}.${name}` : name);

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function acceptsUndefined(type: DeclaredType, declarations: Map<string, DeclaredType>): boolean {
  if (type.kind === "primitive") return type.name === "undefined" || type.name === "unknown";
  if (type.kind === "union") return type.members.some((member) => acceptsUndefined(member, declarations));
  if (type.kind === "reference") return acceptsUndefined(declarations.get(type.name)!, declarations);
  return false;
}

function compare(
  value: unknown,
  type: DeclaredType,
  path: string,
  declarations: Map<string, DeclaredType>,
  options: CompareOptions,
): Comparison {
  const ok: Comparison = { errors: [], absentOptional: [] };
  const fail = (expected: string): Comparison => ({
    errors: [`${at(path)}: expected ${expected}, got ${describe(value)}`],
    absentOptional: [],
  });
  if (
    value === null &&
    options.nullAllowed &&
    Object.keys(options.nullAllowed).some((field) => path === field || path.endsWith(`.${field}`))
  )
    return ok;
  switch (type.kind) {
    case "primitive":
      switch (type.name) {
        case "unknown":
          return ok;
        case "null":
          return value === null ? ok : fail("null");
        case "undefined":
          return value === undefined ? ok : fail("undefined");
        case "Date":
          return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? ok : fail("a date");
        default:
          return typeof value === type.name ? ok : fail(type.name);
      }
    case "literal":
      return value === type.value ? ok : fail(JSON.stringify(type.value));
    case "enum":
      return typeof value === "string" && type.values.includes(value) ? ok : fail(`one of ${type.values.join(", ")}`);
    case "reference": {
      const target = declarations.get(type.name);
      if (!target) throw new Error(`${at(path)}: the declarations name ${type.name} but do not define it`);
      return compare(value, target, path, declarations, options);
    }
    case "array": {
      if (!Array.isArray(value)) return fail("an array");
      const results = value.map((element) => compare(element, type.element, `${path}[]`, declarations, options));
      return { errors: results.flatMap((r) => r.errors), absentOptional: results.flatMap((r) => r.absentOptional) };
    }
    case "intersection": {
      const results = type.members.map((member) => compare(value, member, path, declarations, options));
      return { errors: results.flatMap((r) => r.errors), absentOptional: results.flatMap((r) => r.absentOptional) };
    }
    case "union": {
      const results = type.members.map((member) => compare(value, member, path, declarations, options));
      const matching = results.filter((r) => r.errors.length === 0);
      // The member the value fits best: a match with the fewest absent optional fields, else the closest miss.
      const pool = matching.length > 0 ? matching : results;
      const key = (r: Comparison) => (matching.length > 0 ? r.absentOptional.length : r.errors.length);
      return pool.reduce((best, r) => (key(r) < key(best) ? r : best));
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("an object");
      const record = value as Record<string, unknown>;
      const result: Comparison = { errors: [], absentOptional: [] };
      for (const property of type.properties) {
        const propertyPath = join2(path, property.name);
        if (record[property.name] === undefined) {
          if (property.optional || acceptsUndefined(property.type, declarations)) result.absentOptional.push(propertyPath);
          else result.errors.push(`${propertyPath}: missing (the SDK declares it required)`);
          continue;
        }
        const inner = compare(record[property.name], property.type, propertyPath, declarations, options);
        result.errors.push(...inner.errors);
        result.absentOptional.push(...inner.absentOptional);
      }
      if (type.index) {
        const known = new Set(type.properties.map((property) => property.name));
        for (const [name, field] of Object.entries(record)) {
          if (known.has(name)) continue;
          const inner = compare(field, type.index, join2(path, name), declarations, options);
          result.errors.push(...inner.errors);
          result.absentOptional.push(...inner.absentOptional);
        }
      }
      return result;
    }
  }
}
