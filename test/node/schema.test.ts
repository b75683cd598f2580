// schema.sql is the schema that applying migrations/ in order produces: compared structurally
// (tables, columns with type, NOT NULL, default and key, indexes, foreign keys, CHECKs) in SQLite,
// the engine D1 runs. Run in Node (node:sqlite) so two fresh databases are one line each.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

function structure(sqlFiles: string[]) {
  const db = new DatabaseSync(":memory:");
  for (const sql of sqlFiles) db.exec(sql);
  const objects = db
    .prepare("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as Array<{ type: string; name: string; tbl_name: string }>;
  return objects.map(({ type, name, tbl_name }) => {
    if (type === "index") return { type, name, table: tbl_name, columns: db.prepare(`PRAGMA index_xinfo("${name}")`).all() };
    return {
      type,
      name,
      columns: db.prepare(`PRAGMA table_xinfo("${name}")`).all(),
      indexes: db.prepare(`PRAGMA index_list("${name}")`).all(),
      foreignKeys: db.prepare(`PRAGMA foreign_key_list("${name}")`).all(),
      // CHECK constraints live only in the CREATE text: compare them, whitespace-normalised.
      checks: [
        ...String((db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(name) as { sql: string }).sql).matchAll(
          /CHECK\s*\(((?:[^()]|\([^()]*\))*)\)/gi,
        ),
      ].map((m) => m[1]!.replace(/\s+/g, " ").trim()),
    };
  });
}

describe("schema.sql", () => {
  it("is what applying migrations/ in order produces", () => {
    const migrations = readdirSync(join(root, "migrations"))
      .filter((file) => /^\d{4}_.+\.sql$/.test(file))
      .sort()
      .map((file) => readFileSync(join(root, "migrations", file), "utf8"));
    expect(migrations.length).toBeGreaterThan(0);
    expect(structure([readFileSync(join(root, "schema.sql"), "utf8")])).toEqual(structure(migrations));
  });
});
