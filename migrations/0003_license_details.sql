-- What the official SDK's license objects carry beyond consumption, stored so that it is answered
-- as the vendor set it (docs/sdk-compatibility.md): metadata of products, licenses and license
-- features, a license's customer, order reference, user limit and trial flag, product custom
-- fields and their per-license values, license user details, and device variables.

-- A product's metadata (product_details, and product_details inside license objects): a JSON object.
ALTER TABLE products ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';

-- A license's metadata (JSON object); the vendor's order reference (order_store_id);
-- max_license_users (user-based licenses; 0 = no limit); is_trial and trial_days as the vendor marks them.
ALTER TABLE licenses ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE licenses ADD COLUMN order_store_id TEXT;
ALTER TABLE licenses ADD COLUMN max_license_users INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN is_trial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN trial_days INTEGER NOT NULL DEFAULT 0;

-- A license feature's own metadata (JSON object); NULL inherits the product feature's.
ALTER TABLE license_features ADD COLUMN metadata TEXT;

-- What the SDK shows of a license user. is_initial_password: 1 until the user changes the
-- password the vendor set (POST /api/v4/change_password).
ALTER TABLE license_users ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE license_users ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE license_users ADD COLUMN phone_number TEXT NOT NULL DEFAULT '';
ALTER TABLE license_users ADD COLUMN is_initial_password INTEGER NOT NULL DEFAULT 1;

-- The customer a license was sold to, one per license (a license without a row has no customer).
-- customer_license_users finds a customer's licenses by email.
CREATE TABLE license_customers (
  license_id INTEGER PRIMARY KEY REFERENCES licenses(id),
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
  metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX license_customers_by_email ON license_customers (email);

-- Custom fields a product defines, with the value every license has unless it sets its own.
CREATE TABLE product_custom_fields (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  name TEXT NOT NULL,
  data_type TEXT CHECK (data_type IN ('number', 'text', 'date/time')),
  default_value TEXT NOT NULL DEFAULT '',
  UNIQUE (product_id, name)
);

-- A license's own value of a product custom field.
CREATE TABLE license_custom_fields (
  license_id INTEGER NOT NULL REFERENCES licenses(id),
  product_custom_field_id INTEGER NOT NULL REFERENCES product_custom_fields(id),
  value TEXT NOT NULL,
  PRIMARY KEY (license_id, product_custom_field_id)
);

-- Variables a device reports (track_device_variables, or variables sent with activate_license);
-- one value per name, overwritten by the next report. created_at: when the current value was written.
CREATE TABLE device_variables (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  variable TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (device_id, variable)
);
