// The vendor console: plain JavaScript over the management API (/api/v1, see /api/openapi.json).
// The management key lives in sessionStorage (this tab only) and is sent as "Api-Key <key>".
// Everything from the API is put on the page with textContent, never as HTML.

const KEY_STORAGE = "edge-license-api.management-key";
const SVG = "http://www.w3.org/2000/svg";
const $ = (selector) => document.querySelector(selector);

let managementKey = sessionStorage.getItem(KEY_STORAGE);
let licenseQuery = "";
let nextLicenseCursor = null;
let currentLicenseId = null;

class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
  }
}

async function api(method, path, json) {
  const headers = { Authorization: `Api-Key ${managementKey}` };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 || response.status === 403) signOut(body?.message);
    throw new ApiFailure(response.status, body);
  }
  return body;
}

/** Creates an element with properties, attributes (data-*, aria-*) and children. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.startsWith("data-") || name.startsWith("aria-")) node.setAttribute(name, value);
    else node[name] = value;
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function status(message) {
  $("#status").textContent = message;
}

// ------------------------------------------------------------------ sign in / out

function showSignedIn(signedIn) {
  $("#sign-in").hidden = signedIn;
  $("#app").hidden = !signedIn;
  $("#sign-out").hidden = !signedIn;
}

function signOut(message) {
  managementKey = null;
  sessionStorage.removeItem(KEY_STORAGE);
  showSignedIn(false);
  const error = $("#sign-in-error");
  error.hidden = !message;
  error.textContent = message ?? "";
}

$("#sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  managementKey = $("#management-key").value.trim();
  try {
    await api("GET", "/api/v1/products?limit=1");
  } catch (error) {
    if (managementKey !== null) signOut(error.message);
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, managementKey);
  $("#management-key").value = "";
  $("#sign-in-error").hidden = true;
  showSignedIn(true);
  await Promise.all([loadLicenses(""), loadProducts()]);
});

$("#sign-out").addEventListener("click", () => signOut());

// ------------------------------------------------------------------ licenses

$("#license-search").addEventListener("submit", (event) => {
  event.preventDefault();
  void loadLicenses($("#license-filter").value.trim());
});

$("#more-licenses").addEventListener("click", () => void loadLicenses(licenseQuery, nextLicenseCursor));

async function loadLicenses(filter, cursor = null) {
  licenseQuery = filter;
  const params = new URLSearchParams({ limit: "50" });
  if (filter.includes("@")) params.set("username", filter);
  else if (filter) params.set("license_key", filter);
  if (cursor) params.set("cursor", cursor);
  const page = await api("GET", `/api/v1/licenses?${params}`);
  const body = $("#licenses tbody");
  if (!cursor) body.replaceChildren();
  for (const license of page.data) {
    const row = el(
      "tr",
      { "data-license-id": String(license.id) },
      el("td", {}, String(license.id)),
      el("td", {}, license.product_short_code),
      el("td", { className: "mono" }, license.license_key ?? license.users.join(", ")),
      el("td", {}, stateBadge(license)),
    );
    row.addEventListener("click", () => void showLicense(license.id));
    body.append(row);
  }
  nextLicenseCursor = page.next_cursor;
  $("#more-licenses").hidden = page.next_cursor === null;
  status(body.children.length === 0 ? "No licenses match." : "");
}

function stateBadge(license) {
  const enabled = license.enabled;
  return el(
    "span",
    { className: `badge ${enabled ? "ok" : "bad"}`, "data-state": enabled ? "enabled" : "disabled" },
    enabled ? (license.active ? "enabled" : "enabled, not activated") : "disabled",
  );
}

async function showLicense(licenseId) {
  currentLicenseId = licenseId;
  for (const row of document.querySelectorAll("#licenses tbody tr"))
    row.classList.toggle("selected", row.dataset.licenseId === String(licenseId));
  const [license, devices] = await Promise.all([
    api("GET", `/api/v1/licenses/${licenseId}`),
    allPages(`/api/v1/licenses/${licenseId}/devices`),
  ]);
  $("#license-detail").hidden = false;
  $("#license-title").textContent = `License #${license.id} · ${license.product_short_code}`;
  $("#license-state").replaceWith(Object.assign(stateBadge(license), { id: "license-state" }));
  const toggle = $("#toggle-license");
  toggle.textContent = license.enabled ? "Disable license" : "Enable license";
  toggle.className = license.enabled ? "danger" : "";
  toggle.onclick = async () => {
    await api("POST", `/api/v1/licenses/${license.id}/${license.enabled ? "disable" : "enable"}`);
    await Promise.all([showLicense(license.id), loadLicenses(licenseQuery)]);
  };
  $("#license-meta").textContent = [
    license.license_key ? `Key ${license.license_key}` : `Users: ${license.users.join(", ")}`,
    `${license.license_type}`,
    license.validity_period ? `valid until ${new Date(license.validity_period).toLocaleString()}` : "no expiry",
    `max activations ${license.allow_unlimited_activations ? "unlimited" : license.max_activations}`,
  ].join(" · ");
  renderFeatures(license.consumption ? [licenseCounterRow(license), ...license.features] : license.features);
  renderDevices(devices);
  await renderPlots(license);
}

$("#refresh").addEventListener("click", () => currentLicenseId !== null && void showLicense(currentLicenseId));

// ------------------------------------------------------------------ features and devices

/** A consumption license's own counter, shown (and plotted) like a feature named "(license)". */
function licenseCounterRow(license) {
  const { max_consumptions, ...rest } = license.consumption;
  return {
    ...rest,
    id: null,
    code: "(license)",
    name: "License-level consumption",
    feature_type: "consumption",
    max_consumption: max_consumptions,
  };
}

/** What a feature may reach: max_consumption plus overages, or null when unlimited. */
function allowance(feature) {
  if (feature.allow_unlimited_consumptions) return null;
  return feature.max_consumption + (feature.allow_overages ? feature.max_overages : 0);
}

function renderFeatures(features) {
  const body = $("#features tbody");
  body.replaceChildren();
  for (const feature of features) {
    const activation = feature.feature_type !== "consumption";
    const limit = allowance(feature);
    const used = feature.total_consumptions ?? 0;
    const share = limit ? Math.min(1, used / limit) : 0;
    const meter = el("div", { className: `meter${limit !== null && used > feature.max_consumption ? " over" : ""}` }, el("div"));
    meter.firstChild.style.width = `${(share * 100).toFixed(1)}%`;
    body.append(
      el(
        "tr",
        { "data-feature": feature.code },
        el("td", {}, el("strong", {}, feature.code), el("div", { className: "hint" }, feature.name)),
        el(
          "td",
          { "data-consumption": activation ? "" : `${used}/${limit ?? "unlimited"}` },
          activation
            ? "activation feature"
            : `${used} / ${limit === null ? "∞" : limit}${feature.allow_overages && limit !== null ? ` (incl. ${feature.max_overages} overage)` : ""}`,
        ),
        el("td", {}, activation ? null : meter),
        el("td", {}, feature.reset_consumption && feature.consumption_period ? feature.consumption_period : "never"),
      ),
    );
  }
}

function renderDevices(devices) {
  const body = $("#devices tbody");
  body.replaceChildren();
  if (devices.length === 0)
    body.append(el("tr", {}, el("td", { colSpan: 3, className: "hint" }, "No device has activated this license yet.")));
  for (const device of devices) {
    const state = device.blacklisted ? "blacklisted" : device.active ? "active" : "deactivated";
    const action = el(
      "button",
      { type: "button", className: device.blacklisted ? "" : "danger", "data-action": device.blacklisted ? "unblacklist" : "blacklist" },
      device.blacklisted ? "Un-blacklist" : "Blacklist",
    );
    action.addEventListener("click", async () => {
      await api("POST", `/api/v1/devices/${device.id}/${device.blacklisted ? "unblacklist" : "blacklist"}`);
      await showLicense(device.license_id);
    });
    body.append(
      el(
        "tr",
        { "data-hardware-id": device.hardware_id, "data-device-state": state },
        el("td", { className: "mono" }, device.hardware_id),
        el("td", {}, state),
        el("td", {}, action),
      ),
    );
  }
}

async function allPages(path, extra = "") {
  const rows = [];
  let cursor = null;
  do {
    const page = await api("GET", `${path}?limit=200${extra}${cursor ? `&cursor=${cursor}` : ""}`);
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return rows;
}

// ------------------------------------------------------------------ plots

async function renderPlots(license) {
  const container = $("#plots");
  container.replaceChildren();
  if (license.consumption) {
    // License-level rows are the license's rows without a feature.
    const entries = (await allPages("/api/v1/audit", `&license_id=${license.id}`)).filter((entry) => entry.license_feature_id === null);
    container.append(plot(licenseCounterRow(license), entries));
  }
  for (const feature of license.features.filter((f) => f.feature_type === "consumption")) {
    const entries = await allPages("/api/v1/audit", `&license_feature_id=${feature.id}`);
    container.append(plot(feature, entries));
  }
}

/** A step line of total_after over time, with the allowance as a dashed line. */
function plot(feature, entries) {
  const width = 640;
  const height = 200;
  const pad = { left: 48, right: 16, top: 12, bottom: 28 };
  const figure = el(
    "figure",
    { className: "plot", "data-plot": feature.code, "data-points": String(entries.length) },
    el("h4", {}, `${feature.code} (${entries.length} audit entries)`),
  );
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Consumption of ${feature.code} over time` });
  figure.append(chart);
  if (entries.length === 0) {
    chart.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "No consumption recorded yet"));
    return figure;
  }
  const times = entries.map((entry) => Date.parse(entry.created_at));
  const t0 = times[0];
  const t1 = Math.max(times.at(-1), t0 + 1000);
  const limit = allowance(feature);
  const yMax = Math.max(1, ...entries.map((entry) => entry.total_after), limit ?? 0);
  const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v / yMax) * (height - pad.top - pad.bottom);

  chart.append(svg("line", { class: "axis", x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0) }));
  chart.append(svg("line", { class: "axis", x1: pad.left, y1: pad.top, x2: pad.left, y2: y(0) }));
  chart.append(svg("text", { x: pad.left - 6, y: y(yMax) + 4, "text-anchor": "end" }, String(yMax)));
  chart.append(svg("text", { x: pad.left - 6, y: y(0) + 4, "text-anchor": "end" }, "0"));
  chart.append(svg("text", { x: pad.left, y: height - 8 }, new Date(t0).toLocaleString()));
  chart.append(svg("text", { x: width - pad.right, y: height - 8, "text-anchor": "end" }, new Date(t1).toLocaleString()));
  if (limit !== null) chart.append(svg("line", { class: "limit", x1: pad.left, y1: y(limit), x2: width - pad.right, y2: y(limit) }));

  // Start from the total before the first entry, then step at each entry.
  let d = `M ${x(t0)} ${y(entries[0].total_after - entries[0].consumptions)}`;
  entries.forEach((entry, i) => {
    d += ` H ${x(times[i])} V ${y(entry.total_after)}`;
  });
  d += ` H ${width - pad.right}`;
  chart.append(svg("path", { class: "line", d, "data-last-total": entries.at(-1).total_after }));
  return figure;
}

// ------------------------------------------------------------------ product versions

async function loadProducts() {
  const products = await allPages("/api/v1/products");
  const select = $("#version-product");
  const chosen = select.value;
  select.replaceChildren(
    ...products.map((product) => el("option", { value: String(product.id) }, `${product.short_code} · ${product.name}`)),
  );
  if (products.some((product) => String(product.id) === chosen)) select.value = chosen;
  await loadVersions();
}

$("#version-product").addEventListener("change", () => void loadVersions());

async function loadVersions() {
  const productId = $("#version-product").value;
  const body = $("#versions tbody");
  body.replaceChildren();
  if (!productId) return;
  const { data } = await api("GET", `/api/v1/products/${productId}/versions`);
  if (data.length === 0) body.append(el("tr", {}, el("td", { colSpan: 6, className: "hint" }, "No version published yet.")));
  for (const version of data) {
    const toggle = el(
      "button",
      { type: "button", className: version.enabled ? "danger" : "", "data-action": version.enabled ? "withdraw" : "publish" },
      version.enabled ? "Withdraw" : "Publish again",
    );
    toggle.addEventListener("click", async () => {
      await api("PATCH", `/api/v1/products/${productId}/versions/${version.id}`, { enabled: !version.enabled });
      await loadVersions();
    });
    body.append(
      el(
        "tr",
        { "data-version": `${version.version}/${version.environment}/${version.channel}`, "data-enabled": String(version.enabled) },
        el("td", {}, el("strong", {}, version.version)),
        el("td", {}, version.environment || "any"),
        el("td", {}, version.channel || "any"),
        el("td", {}, new Date(version.release_date).toLocaleDateString()),
        el("td", { className: "mono" }, version.installation_file ?? "none"),
        el("td", {}, toggle),
      ),
    );
  }
}

$("#publish-version").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = (selector) => $(selector).value.trim();
  const error = $("#version-error");
  try {
    await api("POST", `/api/v1/products/${$("#version-product").value}/versions`, {
      version: value("#version-number"),
      environment: value("#version-environment"),
      channel: value("#version-channel"),
      release_date: `${value("#version-released")}T00:00:00Z`,
      installation_file: value("#version-file") || null,
      hash_md5: value("#version-hash") || null,
    });
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
    return;
  }
  error.hidden = true;
  $("#publish-version").reset();
  await loadVersions();
});

// ------------------------------------------------------------------ start

if (managementKey) {
  showSignedIn(true);
  loadLicenses("").catch(() => {});
  loadProducts().catch(() => {});
} else {
  showSignedIn(false);
}
