/** Licenses: every license, filtered by product and state, found by key or user e-mail; "Issue license" starts a new one. */
import { useState } from "preact/hooks";
import { get, type Page } from "../api";
import { href, navigate } from "../router";
import { Badge, Empty, Loaded, MoreButton, PageHeader, Select, Table, dateOnly } from "../ui/parts";
import { licenseName, licenseState, seats } from "../ui/format";
import { useResource, usePages } from "../ui/resource";
import type { License, Product } from "../types";

export function LicensesView(props: { query: URLSearchParams }) {
  const productId = props.query.get("product") ?? "";
  const enabled = props.query.get("enabled") ?? "";
  const archived = props.query.get("archived") ?? "false";
  const products = useResource(() => get<Page<Product>>("/api/v1/products", { limit: 200 }), []);
  const licenses = usePages(
    (cursor) => get<Page<License>>("/api/v1/licenses", { limit: 50, cursor, product_id: productId, enabled, archived }),
    [productId, enabled, archived],
  );
  const productName = new Map(products.data?.data.map((product) => [product.id, product.name]) ?? []);
  const filter = (name: string, value: string) => navigate(href("licenses", { product: productId, enabled, archived, [name]: value }));
  return (
    <>
      <PageHeader title="Licenses" subtitle="Every license issued or imported. Open one to see its consumption, devices and terms.">
        <a class="button" href={href("licenses", "new", { product: productId })}>
          Issue license
        </a>
      </PageHeader>
      <div class="card">
        <div class="filters">
          <Select
            label="Product"
            value={productId}
            options={[
              ["", "All products"],
              ...(products.data?.data.map((product) => [String(product.id), `${product.name} (${product.short_code})`] as const) ?? []),
            ]}
            onValue={(value) => filter("product", value)}
          />
          <Select
            label="State"
            value={enabled}
            options={[
              ["", "Enabled and disabled"],
              ["true", "Enabled"],
              ["false", "Disabled"],
            ]}
            onValue={(value) => filter("enabled", value)}
          />
          <Select
            label="Archived"
            value={archived}
            options={[
              ["false", "Current licenses"],
              ["true", "Archived licenses"],
              ["any", "Current and archived"],
            ]}
            onValue={(value) => filter("archived", value)}
          />
        </div>
        <Loaded loading={licenses.loading} error={licenses.error} retry={licenses.reload} ready={licenses.rows !== undefined}>
          {() =>
            licenses.rows!.length === 0 ? (
              <Empty>
                {productId || enabled || archived !== "false" ? "No license matches these filters." : "No license yet."}{" "}
                <a href={href("licenses", "new", { product: productId })}>Issue the first one</a>.
              </Empty>
            ) : (
              <LicenseTable licenses={licenses.rows!} productName={productName} />
            )
          }
        </Loaded>
        <MoreButton hasMore={licenses.hasMore} loading={licenses.loading} more={licenses.more} />
      </div>
    </>
  );
}

export function LicenseTable(props: { licenses: License[]; productName?: Map<number, string> }) {
  return (
    <Table label="Licenses" name="licenses" head={["License", "Product", "Type", "Seats", "State", "Issued"]}>
      {props.licenses.map((license) => {
        const { state, tone } = licenseState(license);
        return (
          <tr key={license.id} data-license-id={license.id}>
            <td>
              <a class="mono" href={href("licenses", license.id)}>
                {licenseName(license)}
              </a>
            </td>
            <td>{props.productName?.get(license.product_id) ?? license.product_short_code}</td>
            <td>{license.license_type}</td>
            <td>{seats(license)}</td>
            <td>
              <Badge tone={tone} state={state}>
                {state}
              </Badge>
            </td>
            <td>{dateOnly(license.created_at)}</td>
          </tr>
        );
      })}
    </Table>
  );
}
