// The results as a person reads them: Markdown (bench/results/latest*.md and the dated report in
// bench/reports/) and SVG charts (bench/results/latest*.svg).

const fmt = (/** @type {number | null | undefined} */ n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n) || !Number.isFinite(n)
    ? "–"
    : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (/** @type {number | null | undefined} */ n) => fmt(n, 2);
const ratio = (/** @type {number | null | undefined} */ n) => (n === null || n === undefined ? "–" : `${fmt(n, 2)}×`);
const verdict = (/** @type {boolean | null} */ pass) => (pass === null ? "n/a" : pass ? "**pass**" : "**FAIL**");

/** @param {any} results */
function header(results) {
  const { machine, config } = results;
  const h = config.harness;
  const lines = [
    `Run ${results.startedAt} → ${results.finishedAt} (${results.label}), mode **${config.mode}**, commit ${results.commit ?? "?"}.`,
    `Machine: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, Linux ${machine.kernel}; load average ${machine.loadAverageAtStart.join(" / ")} at the start, ${results.loadAverageAtEnd.join(" / ")} at the end (1 / 5 / 15 min).`,
    `Toolchain: Node ${machine.node}, ${machine.workerd ?? "workerd ?"}, miniflare ${machine.miniflare}, wrangler ${machine.wrangler}; compatibility date ${results.compatibilityDate} (wrangler.toml, every Worker).`,
    `Event loop: poll mode **${h.poll}**${h.poll === "gate" ? ` (a request or binding call waits for a poll once the loop has not polled for ${h.gateMs} ms)` : ""}${h.far ? `; far: D1 +${h.far.d1Ms} ms, Durable Objects +${h.far.durableObjectMs} ms, Queue sends +${h.far.queueMs} ms, Cache API +${h.far.cacheMs ?? 0} ms per call` : ""} (bench/README.md, "The event loop").`,
  ];
  if (config.mode !== "far")
    lines.push(
      `Load: ${config.loadGenerator}, ${config.connections} keep-alive connections, ${config.mode === "soak" ? `${config.soakS} s per phase, samples every ${config.soakIntervalS} s` : `${config.durationS} s per run after ${config.warmupS} s warm-up, ${config.rounds} round(s)${config.rounds > 1 ? " (medians)" : ""}`}; requests go straight to workerd (${config.socket})${config.assets === false ? "; the service without its [assets] (BENCH_ASSETS=0: no asset router in front of it)" : ""}${h.dropQueueSends ? "; **Queue sends dropped** (BENCH_AUDIT=drop: no audit delivery, so the audit checks fail by design)" : ""}; D1 and Durable Object storage in ${config.stateDir}.`,
    );
  return lines;
}

/** @param {any[]} targets */
function targetTable(targets) {
  return [
    "| Target | required | measured | result |",
    "| --- | --- | --- | --- |",
    ...targets.map((t) => `| ${t.name} | ${t.required} | ${t.measured} | ${verdict(t.pass)} |`),
  ];
}

/**
 * One request at a time: each row with its p50 over the design floor's row of the same call (a
 * row's `versus`, else the design floor's add_feature_consumption row).
 * @param {any} results
 */
function sequentialTable(results, n) {
  const byKey = results.sequential.rows;
  const rows = Object.values(byKey);
  const cold = results.config.coldRequests;
  const lines = [
    `| One request at a time (${n} requests after ${Math.min(50, n)} warm-up${rows.some((/** @type {any} */ r) => r.key.endsWith("cold")) ? `; cold rows: ${cold}, each after a restart` : ""}) | client | p50 ms | p99 ms | errors (warm-up) | p50 − design floor | binding calls per request: Worker D1 / DO / Queue / Cache API, objects D1 / Queue |`,
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of /** @type {any[]} */ (rows)) {
    const reference = row.key.startsWith("design") ? null : byKey[row.versus ?? "design"];
    lines.push(
      `| ${row.label} | ${row.client} | ${ms(row.p50)} | ${ms(row.p99)} | ${row.errors} (${row.warmupErrors}) | ${reference ? `${row.p50 - reference.p50 >= 0 ? "+" : ""}${ms(row.p50 - reference.p50)} ms` : ""} | ${row.calls ? `${fmt(row.calls.workerD1, 2)} / ${fmt(row.calls.workerDurableObject, 2)} / ${fmt(row.calls.workerQueue, 2)} / ${fmt(row.calls.workerCache ?? 0, 2)}, ${fmt(row.calls.objectsD1, 2)} / ${fmt(row.calls.objectsQueue, 2)}` : ""} |`,
    );
  }
  return lines;
}

/** @param {any[]} audits */
function auditTable(audits, rounds) {
  const lines = [
    "| Audit rows after the load stops (cumulative) | 2xx seen by clients | rows in D1 | completed after the client stopped | all in D1 after | gap-free, no duplicates, none late, exact |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const a of audits) {
    const after =
      a.allInD1AfterMs === null
        ? "never"
        : a.allInD1AfterMs <= (a.firstPollMs ?? 0) + 30
          ? `≤ ${fmt(a.allInD1AfterMs)} ms (first poll)`
          : `${fmt(a.allInD1AfterMs)} ms`;
    lines.push(
      `| ${a.phase}${a.round && rounds > 1 ? ` (round ${a.round})` : ""} | ${fmt(a.clientOkTotal)} | ${fmt(a.rowsInD1)} | ${fmt(a.inFlightAtStop)} | ${after} | ${a.consistent && !a.lateRows && a.exact ? "yes" : `**no**${a.lateRows ? ` (${a.lateRows} late)` : ""}`} |`,
    );
  }
  return lines;
}

/** @param {any} v */
const verificationLine = (v) =>
  `After the last run, the counter objects themselves: ${fmt(v.acceptedByCounters)} consumptions accepted, ${fmt(v.pendingInObjects)} rows still in their outboxes; D1 holds ${fmt(v.rowsInD1)} rows: ${v.exact ? "**exact** (every feature's rows are total_after 1..total, once each, no duplicate event_id)" : "**NOT exact**"}.`;

/**
 * Where each run's workerd CPU went (BENCH_PERF=1): µs per request by part, and the service's
 * excess over the design floor's in the same case. Empty without a split.
 * @param {any[]} rows
 */
function splitTable(rows) {
  const split = rows.filter((row) => row.split);
  if (!split.length) return [];
  const parts = Object.keys(split[0].split);
  const gaps = ["hot", "spread"]
    .map((which) => ({
      which,
      service: split.find((r) => r.key === `service-${which}`),
      design: split.find((r) => r.key === `design-${which}`),
    }))
    .filter((g) => g.service && g.design);
  /** @param {number | null} n */
  const signed = (n) => (n === null ? "–" : `${n >= 0 ? "+" : "−"}${fmt(Math.abs(n))}`);
  const total = (/** @type {any} */ row) => parts.reduce((a, part) => a + (row.split[part] ?? 0), 0);
  const rsa = parts[0]; // ./perf.mjs PARTS: the signature first
  return [
    "",
    `| Where the workerd CPU goes, µs per request (perf, ${split.map((r) => fmt(r.samples)).join(" / ")} samples) | ${split.map((r) => r.short).join(" | ")} | ${gaps.map((g) => `service − design floor, ${g.which}`).join(" | ")} |`,
    `| --- | ${split.map(() => "---:").join(" | ")} | ${gaps.map(() => "---:").join(" | ")} |`,
    ...parts.map(
      (part) =>
        `| ${part} | ${split.map((r) => fmt(r.split[part])).join(" | ")} | ${gaps.map((g) => signed((g.service.split[part] ?? 0) - (g.design.split[part] ?? 0))).join(" | ")} |`,
    ),
    `| total | ${split.map((r) => fmt(total(r))).join(" | ")} | ${gaps.map((g) => signed(total(g.service) - total(g.design))).join(" | ")} |`,
    // Every Worker signs each answer once with the same key: the signature's own CPU measures how
    // fast the machine ran during that run, so this row compares runs free of the machine's drift.
    `| total in RSA signatures (total ÷ the signature row; design floor ÷ service) | ${split.map((r) => fmt(total(r) / (r.split[rsa] || NaN), 2)).join(" | ")} | ${gaps.map((g) => ratio(total(g.design) / (g.design.split[rsa] || NaN) / (total(g.service) / (g.service.split[rsa] || NaN)))).join(" | ")} |`,
  ];
}

/** The standard run. @param {any} results */
export function standardMarkdown(results) {
  const { config, load } = results;
  const lines = [...header(results), ""];
  lines.push(
    "| add_feature_consumption under load | req/s | p50 ms | p99 ms | errors (warm-ups) | workerd CPU per request (kernel share) | loop polled within (max) | held for a poll | req/s ÷ design floor | p99 ÷ design floor | req/s ÷ crypto floor | other CPU on the machine |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const row of load.rows)
    lines.push(
      `| ${row.label} | ${fmt(row.rps)} | ${ms(row.p50)} | ${ms(row.p99)} | ${fmt(row.errors)} (${fmt(row.warmupErrors)}) | ${row.cpuUsPerRequest === null ? "–" : `${fmt(row.cpuUsPerRequest)} µs${row.systemCpuShare === null ? "" : ` (${fmt(row.systemCpuShare * 100)} %)`}`} | ${fmt(row.pollDelayMaxMs)} ms | ${fmt(row.held)} | ${ratio(row.rpsVsDesign)} | ${ratio(row.p99VsDesign)} | ${ratio(row.rpsVsCrypto)} | ${row.otherCores === null ? "–" : `${fmt(row.otherCores, 2)} cores`} |`,
    );
  lines.push(...splitTable(load.rows));
  lines.push(
    "",
    ...sequentialTable(results, config.sequentialRequests),
    "",
    ...auditTable(results.audit, config.rounds),
    "",
    verificationLine(results.auditVerification),
  );
  lines.push("", ...targetTable(results.targets), "");
  return lines.join("\n");
}

/** Far mode. @param {any} results */
export function farMarkdown(results) {
  const lines = [...header(results), ""];
  const withCache = Object.values(results.sequential.rows).filter((/** @type {any} */ row) => row.calls?.workerCache > 0);
  lines.push(
    ...sequentialTable(results, results.config.sequentialRequests),
    "",
    ...(withCache.length
      ? [
          `Time inside the local Cache API (Miniflare's cache Worker and its storage, the far delay not included), per request: ${withCache.map((/** @type {any} */ row) => `${row.label} ${fmt(row.calls.cacheLocalMs, 2)} ms`).join("; ")}. In production that call is what \`BENCH_FAR_CACHE_MS\` models, so this much of each row is the local stand-in counted twice.`,
          "",
        ]
      : []),
    verificationLine(results.auditVerification),
    "",
    ...targetTable(results.targets),
    "",
  );
  return lines.join("\n");
}

/** Soak mode. @param {any} results */
export function soakMarkdown(results) {
  const lines = [...header(results), ""];
  lines.push(
    "| Soak phase | req/s | p50 ms | p99 ms | errors | loop polled within (max) | audit rows all in D1 after | memory |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  );
  for (const p of results.phases)
    lines.push(
      `| ${p.which} (${results.config.soakS} s) | ${fmt(p.rps)} | ${ms(p.latency.p50)} | ${ms(p.latency.p99)} | ${p.errors} | ${fmt(p.pollDelayMaxMs)} ms | ${p.audit.allInD1AfterMs === null ? "never" : `${fmt(p.audit.allInD1AfterMs)} ms`}${p.audit.exact ? ", exact" : ", NOT exact"} | ${p.memory.levelsOff ? "levels off" : "**still growing**"} |`,
    );
  lines.push("", `Warm-up errors (reported apart): ${results.warmupErrors}.`, "");
  const isolates = results.isolates;
  lines.push(
    `Samples (every ${results.config.soakIntervalS} s; RSS of the service's workerd process ${results.pid}; live heap = after a forced full GC; answered = requests the service answered since the previous sample):`,
    "",
    `| phase | at s | RSS MiB | ${isolates.map((/** @type {string} */ id) => `heap ${id} MiB`).join(" | ")} | answered | non-2xx | loop polled within |`,
    `| --- | ---: | ---: | ${isolates.map(() => "---:").join(" | ")} | ---: | ---: | ---: |`,
  );
  for (const s of results.samples)
    lines.push(
      `| ${s.phase} | ${fmt(s.atS, 1)} | ${fmt(s.rssMiB, 1)} | ${isolates.map((/** @type {string} */ id) => fmt(s.heapMiB[id], 2)).join(" | ")} | ${fmt(s.answered)} | ${fmt(s.non2xx + s.thrown)} | ${fmt(s.pollDelayMaxMs)} ms |`,
    );
  lines.push("", verificationLine(results.auditVerification), "", ...targetTable(results.targets), "");
  return lines.join("\n");
}

const esc = (/** @type {string} */ text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The standard run as grouped bars: req/s, p50/p99 latency and workerd CPU per request, with the
 * service's ratios to the design floor under its bars.
 * @param {any} results
 */
export function svgChart(results) {
  const rows = results.load.rows;
  const W = 1280;
  const H = 470;
  const top = 84;
  const bottom = 370;
  /** @type {Record<string, string>} */
  const colors = {
    floor: "#9aa5b1",
    crypto: "#4c78a8",
    "design-hot": "#72b7b2",
    "service-hot": "#f58518",
    "design-spread": "#54a24b",
    "service-spread": "#e45756",
  };
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="20" y="26" font-size="17" font-weight="bold">${esc(`add_feature_consumption: the service vs. three reference Workers in the same workerd, ${results.config.connections} connections`)}</text>`,
    `<text x="20" y="46" fill="#555">${esc(`${results.startedAt} · ${results.label} · ${results.machine.cpuModel}, ${results.machine.logicalCpus} CPUs · ${results.config.loadGenerator}, ${results.config.durationS} s per run · poll ${results.config.harness.poll} · commit ${results.commit ?? "?"}`)}</text>`,
  ];
  /** @param {number} x0 @param {number} width @param {string} title @param {Array<{ field: string, opacity: number, label: string }>} series @param {string} unit @param {(row: any) => number | null} ratioOf @param {string[]} cut */
  const panel = (x0, width, title, series, unit, ratioOf, cut = []) => {
    const values = rows
      .filter((/** @type {any} */ row) => !cut.includes(row.key))
      .flatMap((/** @type {any} */ row) => series.map((s) => row[s.field] ?? 0));
    const maxValue = niceMax(Math.max(...values) * 1.1);
    const scale = (/** @type {number} */ v) => Math.min((v ?? 0) / maxValue, 1) * (bottom - top);
    const digits = (/** @type {number} */ v) => (unit === "ms" && v < 100 ? 1 : 0);
    out.push(`<text x="${x0}" y="${top - 16}" font-weight="bold">${esc(title)}</text>`);
    for (let k = 0; k <= 4; k++) {
      const v = (maxValue * k) / 4;
      const y = bottom - scale(v);
      out.push(`<line x1="${x0 + 44}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x0 + 40}" y="${y + 4}" text-anchor="end" fill="#666">${fmt(v, v > 0 && v < 10 ? 1 : 0)}</text>`);
    }
    const groupW = (width - 50) / rows.length;
    rows.forEach((/** @type {any} */ row, /** @type {number} */ i) => {
      const gx = x0 + 50 + i * groupW;
      const barW = (groupW - 8) / series.length;
      series.forEach((s, j) => {
        const v = row[s.field];
        const h = scale(v);
        const x = gx + j * barW;
        const off = (v ?? 0) > maxValue;
        out.push(
          `<rect x="${x.toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[row.key] ?? "#888"}" fill-opacity="${s.opacity}"/>`,
          `<text x="${(x + (barW - 3) / 2).toFixed(1)}" y="${(off ? top + 14 : bottom - h - 4).toFixed(1)}" text-anchor="middle" font-size="10"${off ? ' fill="#fff" font-weight="bold"' : ""}>${v === null || v === undefined ? "–" : fmt(v, digits(v))}</text>`,
        );
      });
      const cx = gx + (groupW - 8) / 2;
      out.push(`<text x="${cx}" y="${bottom + 16}" text-anchor="middle" font-size="10.5">${esc(row.short)}</text>`);
      const r = ratioOf(row);
      if (r !== null && r !== undefined && !Number.isNaN(r))
        out.push(`<text x="${cx}" y="${bottom + 31}" text-anchor="middle" font-size="10.5" fill="#555">${esc(`${fmt(r, 2)}×`)}</text>`);
    });
    if (series.length > 1)
      series.forEach((s, j) => {
        out.push(`<rect x="${x0 + 56 + j * 55}" y="${top + 2}" width="10" height="10" fill="#555" fill-opacity="${s.opacity}"/>`);
        out.push(`<text x="${x0 + 70 + j * 55}" y="${top + 11}">${esc(s.label)}</text>`);
      });
  };
  panel(
    20,
    400,
    "Throughput, req/s (higher is better)",
    [{ field: "rps", opacity: 1, label: "req/s" }],
    "req/s",
    (row) => row.rpsVsDesign,
    ["floor"],
  );
  panel(
    450,
    400,
    "Latency, ms (lower is better; ratios are p99)",
    [
      { field: "p50", opacity: 0.45, label: "p50" },
      { field: "p99", opacity: 1, label: "p99" },
    ],
    "ms",
    (row) => row.p99VsDesign,
  );
  panel(
    880,
    380,
    "workerd CPU per request, µs (lower is better)",
    [{ field: "cpuUsPerRequest", opacity: 1, label: "µs" }],
    "µs",
    () => null,
  );
  const failed = results.targets.filter((/** @type {any} */ t) => t.pass === false).map((/** @type {any} */ t) => t.name);
  out.push(
    `<text x="20" y="${H - 46}" fill="#333">${esc(`Under the service's bars: its ratio to the design floor in the same case and round (targets: req/s ≥ 0.85×, p99 ≤ 1.5×).`)}</text>`,
    `<text x="20" y="${H - 28}" fill="#333">${esc(`Targets missed: ${failed.length ? failed.join("; ") : "none"}.`)}</text>`,
    `<text x="20" y="${H - 10}" fill="#777">${esc("Runtime floor = constant response; crypto floor = HMAC verify + RSA-2048 sign; design floor = crypto + one Durable Object transaction (UPDATE + outbox INSERT) per request.")}</text>`,
    `</svg>`,
  );
  return out.join("\n") + "\n";
}

/** Soak mode: RSS and live heaps over time. @param {any} results */
export function soakSvg(results) {
  const W = 1000;
  const H = 420;
  const left = 60;
  const right = W - 220;
  const top = 60;
  const bottom = H - 50;
  const samples = results.samples.filter((/** @type {any} */ s) => s.rssMiB !== null);
  const maxT = Math.max(1, ...samples.map((/** @type {any} */ s) => s.atS));
  /** @type {Array<{ name: string, color: string, values: Array<[number, number]> , axis: "rss" | "heap" }>} */
  const lines = [
    { name: "RSS (workerd process)", color: "#e45756", axis: "rss", values: samples.map((/** @type {any} */ s) => [s.atS, s.rssMiB]) },
  ];
  const palette = ["#4c78a8", "#54a24b", "#b279a2", "#f58518"];
  results.isolates.forEach((/** @type {string} */ id, /** @type {number} */ i) =>
    lines.push({
      name: `live heap ${id}`,
      color: palette[i % palette.length] ?? "#888",
      axis: "heap",
      values: samples
        .filter((/** @type {any} */ s) => s.heapMiB[id] !== null && s.heapMiB[id] !== undefined)
        .map((/** @type {any} */ s) => [s.atS, s.heapMiB[id]]),
    }),
  );
  const maxOf = (/** @type {"rss" | "heap"} */ axis) =>
    niceMax(Math.max(1, ...lines.filter((l) => l.axis === axis).flatMap((l) => l.values.map((v) => v[1]))) * 1.1);
  const max = { rss: maxOf("rss"), heap: maxOf("heap") };
  const x = (/** @type {number} */ t) => left + (t / maxT) * (right - left);
  const y = (/** @type {number} */ v, /** @type {"rss" | "heap"} */ axis) => bottom - (v / max[axis]) * (bottom - top);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="20" y="24" font-size="16" font-weight="bold">${esc(`Soak: memory of the service under load (hot, then spread), ${results.config.soakS} s each`)}</text>`,
    `<text x="20" y="42" fill="#555">${esc(`${results.startedAt} · commit ${results.commit ?? "?"} · poll ${results.config.harness.poll} · left axis RSS MiB, right axis live heap MiB`)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const yy = bottom - ((bottom - top) * k) / 4;
    out.push(`<line x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#e45756">${fmt((max.rss * k) / 4)}</text>`);
    out.push(`<text x="${right + 6}" y="${yy + 4}" fill="#4c78a8">${fmt((max.heap * k) / 4, 1)}</text>`);
  }
  out.push(`<text x="${(left + right) / 2}" y="${H - 14}" text-anchor="middle" fill="#555">seconds since the start</text>`);
  lines.forEach((line, i) => {
    out.push(
      `<polyline fill="none" stroke="${line.color}" stroke-width="2" points="${line.values.map(([t, v]) => `${x(t).toFixed(1)},${y(v, line.axis).toFixed(1)}`).join(" ")}"/>`,
    );
    out.push(`<rect x="${right + 50}" y="${top + i * 18}" width="12" height="3" fill="${line.color}"/>`);
    out.push(`<text x="${right + 66}" y="${top + i * 18 + 5}" font-size="11">${esc(line.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** @param {number} v */
function niceMax(v) {
  if (!(v > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.6, 2, 4, 6, 8, 10]) if (v <= m * exp) return m * exp;
  return 10 * exp;
}
