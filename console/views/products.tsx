/** Products: the list, and a form to create one (short code, name, how its licenses authorize). */
import { useState } from "preact/hooks";
import { get, post, type Page } from "../api";
import { href, navigate } from "../router";
import { useAction } from "../ui/notices";
import { Empty, Field, Loaded, MoreButton, PageHeader, Section, Select, Table, dateOnly } from "../ui/parts";
import { usePages } from "../ui/resource";
import type { CreateProductInput, Product } from "../types";

export function ProductsView() {
  const products = usePages((cursor) => get<Page<Product>>("/api/v1/products", { limit: 50, cursor }), []);
  return (
    <>
      <PageHeader title="Products" subtitle="What clients name as product. Each has features that its licenses inherit." />
      <div class="columns">
        <Section title="All products">
          <Loaded loading={products.loading} error={products.error} retry={products.reload} ready={products.rows !== undefined}>
            {() =>
              products.rows!.length === 0 ? (
                <Empty>No product yet: create the first one with the form.</Empty>
              ) : (
                <Table label="Products" name="products" head={["Name", "Short code", "Licenses by", "Created"]}>
                  {products.rows!.map((product) => (
                    <tr key={product.id} data-product={product.short_code}>
                      <td>
                        <a href={href("products", product.id)}>{product.name}</a>
                      </td>
                      <td class="mono">{product.short_code}</td>
                      <td>{product.authorization_method === "user" ? "user e-mail and password" : "license key"}</td>
                      <td>{dateOnly(product.created_at)}</td>
                    </tr>
                  ))}
                </Table>
              )
            }
          </Loaded>
          <MoreButton hasMore={products.hasMore} loading={products.loading} more={products.more} />
        </Section>
        <CreateProduct />
      </div>
    </>
  );
}

function CreateProduct() {
  const [form, setForm] = useState({ short_code: "", name: "", authorization_method: "license-key" as "license-key" | "user" });
  const { busy, run } = useAction();
  async function submit(event: Event) {
    event.preventDefault();
    const body: CreateProductInput = form;
    const outcome = await run(
      "Creating the product",
      () => post<Product>("/api/v1/products", body),
      (product) => `Product ${product.short_code} created`,
    );
    if (outcome.ok) navigate(href("products", outcome.result.id));
  }
  return (
    <Section title="New product">
      <form onSubmit={submit} id="create-product">
        <Field label="Name" name="name" required value={form.name} onValue={(name) => setForm({ ...form, name })} />
        <Field
          label="Short code"
          name="short_code"
          required
          hint="What client applications send as product: letters, digits, “.”, “_” and “-”. It cannot change later."
          value={form.short_code}
          onValue={(short_code) => setForm({ ...form, short_code })}
        />
        <Select
          label="Licenses are opened by"
          name="authorization_method"
          value={form.authorization_method}
          options={[
            ["license-key", "a license key"],
            ["user", "a user's e-mail and password"],
          ]}
          onValue={(authorization_method) => setForm({ ...form, authorization_method })}
        />
        <button type="submit" disabled={busy}>
          Create product
        </button>
      </form>
    </Section>
  );
}
