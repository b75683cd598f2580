-- Customers as things, and licenses whose terms change (docs/management-api.md "Customers",
-- "Changing license terms", "Archiving and deleting").

-- A customer of a company (the company of the products whose licenses it holds). Within a company
-- a customer is found again by e-mail, case-insensitively: at most one customer per (company,
-- e-mail). A customer without an e-mail is never matched by anything but its id.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  company_id INTEGER NOT NULL DEFAULT 1,
  email TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  company_name TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  reference TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  postcode TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX customers_by_email ON customers (company_id, email) WHERE email != '';

-- The customer a license was sold to (NULL: none).
ALTER TABLE licenses ADD COLUMN customer_id INTEGER REFERENCES customers(id);
CREATE INDEX licenses_by_customer ON licenses (customer_id);

-- Each license's customer becomes a customer row. Customers with an e-mail are merged per
-- (company, e-mail), keeping the values of the newest license sold to that e-mail (the customer
-- customer_license_users answered before) and the oldest license's creation time. Customers without
-- an e-mail stay one per license; they take the first ids, in license order, so that each license
-- finds its own again below.
INSERT INTO customers (id, company_id, email, first_name, last_name, company_name, phone, reference, address, city, postcode, state, country, metadata, created_at)
SELECT ROW_NUMBER() OVER (ORDER BY c.license_id), p.company_id, c.email, c.first_name, c.last_name, c.company_name, c.phone, c.reference,
       c.address, c.city, c.postcode, c.state, c.country, c.metadata, l.created_at
FROM license_customers c JOIN licenses l ON l.id = c.license_id JOIN products p ON p.id = l.product_id
WHERE c.email = '';

INSERT INTO customers (company_id, email, first_name, last_name, company_name, phone, reference, address, city, postcode, state, country, metadata, created_at)
SELECT company_id, email, first_name, last_name, company_name, phone, reference, address, city, postcode, state, country, metadata, first_sold
FROM (
  SELECT p.company_id, c.email, c.first_name, c.last_name, c.company_name, c.phone, c.reference, c.address, c.city, c.postcode, c.state,
         c.country, c.metadata,
         MIN(l.created_at) OVER (PARTITION BY p.company_id, c.email) AS first_sold,
         ROW_NUMBER() OVER (PARTITION BY p.company_id, c.email ORDER BY l.created_at DESC, l.id DESC) AS newest
  FROM license_customers c JOIN licenses l ON l.id = c.license_id JOIN products p ON p.id = l.product_id
  WHERE c.email != ''
)
WHERE newest = 1
ORDER BY first_sold, email;

UPDATE licenses SET customer_id = (
  SELECT cu.id FROM license_customers c JOIN products p ON p.id = licenses.product_id
  JOIN customers cu ON cu.company_id = p.company_id AND cu.email = c.email
  WHERE c.license_id = licenses.id
)
WHERE id IN (SELECT license_id FROM license_customers WHERE email != '');

UPDATE licenses SET customer_id = (
  SELECT n FROM (SELECT license_id, ROW_NUMBER() OVER (ORDER BY license_id) AS n FROM license_customers WHERE email = '') e
  WHERE e.license_id = licenses.id
)
WHERE id IN (SELECT license_id FROM license_customers WHERE email = '');

DROP TABLE license_customers;

-- An archived license: kept with its history, disabled, out of the default listings, frozen until restored.
ALTER TABLE licenses ADD COLUMN archived_at TEXT;

-- A feature removed from a license: the row stays (its id names the feature's counter object, and
-- its consumption history refers to it), ignored by everything that reads a license's features.
-- Adding the feature again brings the same row, and so the same counter, back.
ALTER TABLE license_features ADD COLUMN removed_at TEXT;
