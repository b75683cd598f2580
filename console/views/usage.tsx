/**
 * Usage: who is near or over a cap now (one paginated call across every license), totals per
 * product and per customer over a date range (from the daily rollups), and the billing export of a
 * month. Everything here reads the rollups, never the raw consumption log.
 */
import { useState } from "preact/hooks";
import { download, get, type Page } from "../api";
import { href, navigate } from "../router";
import { number } from "../ui/format";
import { useAction } from "../ui/notices";
import { Badge, Empty, Field, Loaded, MoreButton, PageHeader, Section, Select, Table, dateTime } from "../ui/parts";
import { useResource, usePages } from "../ui/resource";
import type { CustomerUsage, NearCap, Product, ProductUsage } from "../types";

const THRESHOLDS = [
  ["50", "50 % of the cap or more"],
  ["80", "80 % of the cap or more"],
  ["90", "90 % of the cap or more"],
  ["100", "at or over the cap"],
] as const;

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 8)}01`;

export function UsageView(props: { query: URLSearchParams }) {
  const threshold = props.query.get("threshold") ?? "80";
  const productId = props.query.get("product") ?? "";
  const from = props.query.get("from") ?? monthStart();
  const to = props.query.get("to") ?? today();
  const products = useResource(() => get<Page<Product>>("/api/v1/products", { limit: 200 }), []);
  const go = (changes: Record<string, string>) => navigate(href("usage", { threshold, product: productId, from, to, ...changes }));
  return (
    <>
      <PageHeader
        title="Usage"
        subtitle="From the rollups the audit consumer writes with every consumption: exact, about a second behind the counters."
      />
      <div class="filters card">
        <Select
          label="Product"
          name="product"
          value={productId}
          options={[
            ["", "All products"],
            ...(products.data?.data.map((product) => [String(product.id), `${product.name} (${product.short_code})`] as const) ?? []),
          ]}
          onValue={(product) => go({ product })}
        />
      </div>
      <NearCapSection threshold={threshold} productId={productId} onThreshold={(value) => go({ threshold: value })} />
      <PeriodTotals from={from} to={to} productId={productId} onRange={(range) => go(range)} />
      <BillingExport productId={productId} />
    </>
  );
}

function NearCapSection(props: { threshold: string; productId: string; onThreshold: (threshold: string) => void }) {
  const rows = usePages(
    (cursor) =>
      get<Page<NearCap>>("/api/v1/usage/near-cap", { threshold: props.threshold, product_id: props.productId, limit: 50, cursor }),
    [props.threshold, props.productId],
  );
  return (
    <Section title="Customers near their caps" wide>
      <div class="filters">
        <Select label="Show counters at" name="threshold" value={props.threshold} options={THRESHOLDS} onValue={props.onThreshold} />
      </div>
      <Loaded loading={rows.loading} error={rows.error} retry={rows.reload} ready={rows.rows !== undefined}>
        {() =>
          rows.rows!.length === 0 ? (
            <Empty>No counter is at {props.threshold} % of its cap or more.</Empty>
          ) : (
            <Table
              label="Counters near their cap"
              name="near-cap"
              head={["Customer", "License", "Product", "Feature", "Used", "Of the cap", "Updated"]}
            >
              {rows.rows!.map((row) => (
                <tr
                  key={`${row.license_id}.${row.license_feature_id ?? 0}`}
                  data-near-cap={`${row.license_id}.${row.feature_code ?? "(license)"}`}
                >
                  <td>
                    {row.customer_email || "—"}
                    {row.customer_company && <div class="hint">{row.customer_company}</div>}
                  </td>
                  <td>
                    <a class="mono" href={href("licenses", row.license_id)}>
                      {row.license_key ?? `License ${row.license_id}`}
                    </a>
                  </td>
                  <td>{row.product}</td>
                  <td class="mono">{row.feature_code ?? "(license)"}</td>
                  <td class="num">
                    {number(row.total_consumptions)} / {number(row.max_consumption)}
                    {row.allow_overages && <div class="hint">+{number(row.max_overages)} overage</div>}
                  </td>
                  <td>
                    <Badge tone={row.over_cap ? "bad" : "warn"}>
                      {row.over_cap ? `over: ${row.percent_used ?? "—"} %` : `${row.percent_used ?? "—"} %`}
                    </Badge>
                  </td>
                  <td>{dateTime(row.total_at)}</td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      <MoreButton hasMore={rows.hasMore} loading={rows.loading} more={rows.more} />
    </Section>
  );
}

function PeriodTotals(props: { from: string; to: string; productId: string; onRange: (range: { from: string; to: string }) => void }) {
  const [range, setRange] = useState({ from: props.from, to: props.to });
  const byProduct = useResource(
    () => get<{ data: ProductUsage[] }>("/api/v1/usage/products", { from: props.from, to: props.to, product_id: props.productId }),
    [props.from, props.to, props.productId],
  );
  const byCustomer = usePages(
    (cursor) =>
      get<Page<CustomerUsage>>("/api/v1/usage/customers", {
        from: props.from,
        to: props.to,
        product_id: props.productId,
        limit: 50,
        cursor,
      }),
    [props.from, props.to, props.productId],
  );
  const sums = (row: { consumed: number; consumptions: number; overage: number; refused: number; licenses: number }) => (
    <>
      <td class="num">{number(row.consumed)}</td>
      <td class="num">{number(row.consumptions)}</td>
      <td class="num">{number(row.overage)}</td>
      <td class="num">{number(row.refused)}</td>
      <td class="num">{number(row.licenses)}</td>
    </>
  );
  return (
    <Section title="Totals per period" wide>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          props.onRange(range);
        }}
      >
        <Field label="From (UTC day)" name="from" type="date" value={range.from} onValue={(from) => setRange({ ...range, from })} />
        <Field label="To (UTC day, included)" name="to" type="date" value={range.to} onValue={(to) => setRange({ ...range, to })} />
        <button type="submit">Show</button>
      </form>
      <h3>Per product</h3>
      <Loaded loading={byProduct.loading} error={byProduct.error} retry={byProduct.reload} ready={byProduct.data !== undefined}>
        {() =>
          byProduct.data!.data.length === 0 ? (
            <Empty>No usage in this range.</Empty>
          ) : (
            <Table
              label="Usage per product"
              name="usage-products"
              head={["Product", "Feature", "Units", "Consumptions", "Overage", "Refused", "Licenses", "Customers"]}
            >
              {byProduct.data!.data.map((row) => (
                <tr key={`${row.product_id}.${row.feature_code}`} data-usage-product={`${row.product}.${row.feature_code || "(license)"}`}>
                  <td>{row.product}</td>
                  <td class="mono">{row.feature_code || "(license)"}</td>
                  {sums(row)}
                  <td class="num">{number(row.customers)}</td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      <h3>Per customer</h3>
      <Loaded loading={byCustomer.loading} error={byCustomer.error} retry={byCustomer.reload} ready={byCustomer.rows !== undefined}>
        {() =>
          byCustomer.rows!.length === 0 ? (
            <Empty>No usage in this range.</Empty>
          ) : (
            <Table
              label="Usage per customer"
              name="usage-customers"
              head={["Customer", "Product", "Feature", "Units", "Consumptions", "Overage", "Refused", "Licenses"]}
            >
              {byCustomer.rows!.map((row) => (
                <tr
                  key={`${row.customer_email}.${row.product}.${row.feature_code}`}
                  data-usage-customer={`${row.customer_email || "(none)"}.${row.feature_code || "(license)"}`}
                >
                  <td>
                    {row.customer_email || "(no customer)"}
                    {row.customer_company && <div class="hint">{row.customer_company}</div>}
                  </td>
                  <td>{row.product}</td>
                  <td class="mono">{row.feature_code || "(license)"}</td>
                  {sums(row)}
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      <MoreButton hasMore={byCustomer.hasMore} loading={byCustomer.loading} more={byCustomer.more} />
    </Section>
  );
}

function BillingExport(props: { productId: string }) {
  const [month, setMonth] = useState(today().slice(0, 7));
  const [format, setFormat] = useState<"csv" | "ndjson">("csv");
  const { busy, run } = useAction();
  return (
    <Section title="Billing export" wide>
      <p class="hint">One line per counter with usage in the month: customer, license key, product, feature, period, units and overage.</p>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void run(
            "Exporting the month",
            () =>
              download(
                `/api/v1/usage/billing?month=${month}&format=${format}${props.productId ? `&product_id=${props.productId}` : ""}`,
                `billing-${month}.${format}`,
              ),
            `Billing export of ${month} downloaded`,
          );
        }}
      >
        <Field label="Month (YYYY-MM)" name="month" value={month} onValue={setMonth} />
        <Select
          label="Format"
          name="format"
          value={format}
          options={[
            ["csv", "CSV"],
            ["ndjson", "NDJSON"],
          ]}
          onValue={setFormat}
        />
        <button type="submit" disabled={busy}>
          Download
        </button>
      </form>
    </Section>
  );
}
