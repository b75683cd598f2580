-- API keys belong to a company: a key reaches only its company's products, and another company's
-- product is answered as one that does not exist. Existing keys (and the demo's) are company 1,
-- the company every product has unless created with another company_id.
ALTER TABLE api_keys ADD COLUMN company_id INTEGER NOT NULL DEFAULT 1;

-- A key's product allow-list: a key with rows here may use only those products (of its company);
-- a key without rows may use every product of its company.
CREATE TABLE api_key_products (
  api_key_id INTEGER NOT NULL REFERENCES api_keys(id),
  product_id INTEGER NOT NULL REFERENCES products(id),
  PRIMARY KEY (api_key_id, product_id)
);
