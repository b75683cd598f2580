// migrations/0018 turns each license's customer (license_customers, one per license) into customer
// rows: merged per (company, e-mail), case-insensitively, with the newest license's values; one per
// license where there is no e-mail. Run in Node (node:sqlite, the engine D1 runs) on a database
// migrated up to 0017 with customers in it, foreign keys on as in D1.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const migrations = readdirSync(join(root, "migrations"))
  .filter((file) => /^\d{4}_.+\.sql$/.test(file))
  .sort();
const read = (file: string) => readFileSync(join(root, "migrations", file), "utf8");
const before = migrations.filter((file) => file < "0018");
const customersMigration = migrations.find((file) => file.startsWith("0018_"))!;

describe("migrations/0018: customers from license_customers", () => {
  it("merges customers per company and e-mail, keeps e-mail-less ones per license, and links every license", () => {
    const db = new DatabaseSync(":memory:");
    db.exec("PRAGMA foreign_keys = ON");
    for (const file of before) db.exec(read(file));
    db.exec(`
      INSERT INTO products (id, short_code, name, authorization_method, company_id) VALUES (1, 'a', 'A', 'license-key', 1), (2, 'b', 'B', 'license-key', 2);
      INSERT INTO licenses (id, product_id, license_key, created_at) VALUES
        (10, 1, 'K10', '2025-01-01T00:00:00.000Z'),
        (11, 1, 'K11', '2025-03-01T00:00:00.000Z'),
        (12, 1, 'K12', '2025-02-01T00:00:00.000Z'),
        (13, 2, 'K13', '2025-01-15T00:00:00.000Z'),
        (14, 1, 'K14', '2025-04-01T00:00:00.000Z'),
        (15, 1, 'K15', '2025-05-01T00:00:00.000Z'),
        (16, 1, 'K16', '2025-06-01T00:00:00.000Z');
      INSERT INTO license_customers (license_id, email, first_name, company_name, city, metadata) VALUES
        (10, 'ann@acme.test', 'Ann', 'ACME', 'Oslo', '{"v":1}'),
        (11, 'ANN@acme.test', 'Annie', 'ACME Inc', '', '{"v":2}'),
        (12, 'ann@acme.test', 'Anna', 'ACME', 'Bergen', '{}'),
        (13, 'ann@acme.test', 'Ann B', 'Other', '', '{}'),
        (14, '', 'Nomail', 'Walk-in', '', '{}'),
        (15, '', 'Nomail', 'Walk-in', '', '{}');
    `);
    db.exec(read(customersMigration));

    const customers = db
      .prepare("SELECT id, company_id, email, first_name, company_name, city, metadata, created_at FROM customers ORDER BY id")
      .all();
    expect(customers).toEqual([
      // No e-mail: one customer per license, in license order, with the license's creation time.
      {
        id: 1,
        company_id: 1,
        email: "",
        first_name: "Nomail",
        company_name: "Walk-in",
        city: "",
        metadata: "{}",
        created_at: "2025-04-01T00:00:00.000Z",
      },
      {
        id: 2,
        company_id: 1,
        email: "",
        first_name: "Nomail",
        company_name: "Walk-in",
        city: "",
        metadata: "{}",
        created_at: "2025-05-01T00:00:00.000Z",
      },
      // Company 1's ann@acme.test on three licenses: the newest license's values (11), the oldest license's time (10).
      {
        id: 3,
        company_id: 1,
        email: "ANN@acme.test",
        first_name: "Annie",
        company_name: "ACME Inc",
        city: "",
        metadata: '{"v":2}',
        created_at: "2025-01-01T00:00:00.000Z",
      },
      // The same e-mail in company 2 is another customer.
      {
        id: 4,
        company_id: 2,
        email: "ann@acme.test",
        first_name: "Ann B",
        company_name: "Other",
        city: "",
        metadata: "{}",
        created_at: "2025-01-15T00:00:00.000Z",
      },
    ]);
    expect(db.prepare("SELECT id, customer_id FROM licenses ORDER BY id").all()).toEqual([
      { id: 10, customer_id: 3 },
      { id: 11, customer_id: 3 },
      { id: 12, customer_id: 3 },
      { id: 13, customer_id: 4 },
      { id: 14, customer_id: 1 },
      { id: 15, customer_id: 2 },
      { id: 16, customer_id: null },
    ]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'license_customers'").all()).toEqual([]);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
    // One customer per (company, e-mail), whatever the case.
    expect(() => db.exec("INSERT INTO customers (company_id, email) VALUES (1, 'ann@ACME.test')")).toThrow(/UNIQUE/);
    db.exec("INSERT INTO customers (company_id, email) VALUES (1, ''), (3, 'ann@acme.test')");
  });

  it("runs on a database without customers", () => {
    const db = new DatabaseSync(":memory:");
    db.exec("PRAGMA foreign_keys = ON");
    for (const file of [...before, customersMigration]) db.exec(read(file));
    expect(db.prepare("SELECT COUNT(*) AS n FROM customers").get()).toEqual({ n: 0 });
  });
});
