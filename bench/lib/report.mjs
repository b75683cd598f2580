// The results as a person reads them: a Markdown table (bench/results/latest.md, also the text
// pasted into the README) and an SVG chart (bench/results/latest.svg).

const fmt = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? "–"
    : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n) => fmt(n, 2);
const ratio = (n) => (n === null || n === undefined ? "–" : `${fmt(n, 2)}×`);
const yes = (pass) => (pass === null ? "n/a" : pass ? "**pass**" : "**FAIL**");

export function markdown(results) {
  const { machine, config, load, sequential, audit, targets } = results;
  const lines = [];
  lines.push(`Run ${results.startedAt} (${results.label}), commit ${results.commit ?? "?"}.`);
  lines.push(
    `Machine: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, Linux ${machine.kernel}; Node ${machine.node}, ${machine.workerd ?? "workerd ?"}, miniflare ${machine.miniflare}; load average at start ${machine.loadAverageAtStart.join(" / ")}.`,
  );
  lines.push(
    `Load: ${load.loadGenerator}, ${config.connections} connections, ${config.durationS} s per run after ${config.warmupS} s warm-up, ${config.rounds} round(s)${config.rounds > 1 ? " (medians)" : ""}; requests go straight to workerd (${config.socket}); D1 and Durable Object storage in ${config.stateDir}.`,
  );
  lines.push("");
  lines.push(
    "| add_feature_consumption under load | req/s | p50 ms | p99 ms | errors | workerd CPU per request | other CPU on the machine | req/s vs crypto floor | p99 vs crypto floor |",
  );
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of load.rows) {
    lines.push(
      `| ${row.label} | ${fmt(row.rps)} | ${ms(row.p50)} | ${ms(row.p99)} | ${fmt(row.errors)} | ${row.cpuUsPerRequest === null ? "–" : `${fmt(row.cpuUsPerRequest)} µs`} | ${row.otherCores === null ? "–" : `${fmt(row.otherCores, 2)} cores`} | ${ratio(row.rpsRatio)} | ${ratio(row.p99Ratio)} |`,
    );
  }
  lines.push("");
  lines.push(
    `| One request at a time (${config.sequentialRequests} requests) | client | p50 ms | p99 ms | errors | p50 vs crypto floor | p99 vs crypto floor |`,
  );
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of sequential.rows) {
    lines.push(
      `| ${row.label} | ${row.client} | ${ms(row.p50)} | ${ms(row.p99)} | ${fmt(row.errors)} | ${ratio(row.p50Ratio)} | ${ratio(row.p99Ratio)} |`,
    );
  }
  lines.push("");
  lines.push(
    "| Audit rows after the load stops (cumulative) | 2xx seen by clients | rows in D1 | completed after the client stopped | all in D1 after | gap-free, no duplicates, none late |",
  );
  lines.push("| --- | ---: | ---: | ---: | ---: | --- |");
  for (const a of audit) {
    const after =
      a.allInD1AfterMs === null
        ? "never"
        : a.allInD1AfterMs <= (a.firstPollMs ?? 0) + 30
          ? `≤ ${fmt(a.allInD1AfterMs)} ms (first poll)`
          : `${fmt(a.allInD1AfterMs)} ms`;
    lines.push(
      `| ${a.phase}${a.round && config.rounds > 1 ? ` (round ${a.round})` : ""} | ${fmt(a.clientOkTotal)} | ${fmt(a.rowsInD1)} | ${fmt(a.inFlightAtStop)} | ${after} | ${a.consistent && !a.lateRows ? "yes" : `**no**${a.lateRows ? ` (${a.lateRows} late)` : ""}`} |`,
    );
  }
  const v = results.auditVerification;
  if (v) {
    lines.push("");
    lines.push(
      `After the last run, the counter objects themselves: ${fmt(v.acceptedByCounters)} consumptions accepted, ${fmt(v.pendingInObjects)} rows still in their outboxes; D1 holds ${fmt(v.rowsInD1)} rows: ${v.exact ? "**exact** (every feature's rows are total_after 1..total, once each, no duplicate event_id)" : "**NOT exact**"}.`,
    );
  }
  lines.push("");
  lines.push("| Target | required | measured | result |");
  lines.push("| --- | --- | --- | --- |");
  for (const t of targets) lines.push(`| ${t.name} | ${t.required} | ${t.measured} | ${yes(t.pass)} |`);
  lines.push("");
  return lines.join("\n");
}

const esc = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Grouped bars for the four loaded runs: req/s, p50/p99 latency and workerd CPU per request, with
 * the targets drawn in; the one-at-a-time (SDK) figures and the audit result as text underneath.
 */
export function svgChart(results) {
  const rows = results.load.rows;
  const W = 1280;
  const H = 470;
  const top = 84;
  const bottom = 370;
  const colors = { floor: "#9aa5b1", crypto: "#4c78a8", hot: "#f58518", spread: "#e45756" };
  const colorOf = (row) => colors[row.key] ?? "#888";
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(
    `<text x="20" y="26" font-size="17" font-weight="bold">${esc(`add_feature_consumption: the service vs. two reference Workers in the same workerd, ${results.config.connections} connections`)}</text>`,
  );
  out.push(
    `<text x="20" y="46" fill="#555">${esc(`${results.startedAt} · ${results.label} · ${results.machine.cpuModel}, ${results.machine.logicalCpus} CPUs · ${results.load.loadGenerator}, ${results.config.durationS} s per run · commit ${results.commit ?? "?"}`)}</text>`,
  );

  // `cut`: rows whose bars may run off the top (the runtime floor's req/s would flatten the rest);
  // they are drawn to the top with a break mark and their value.
  const panel = (x0, width, title, series, unit, refLine, ratioOf, cut = []) => {
    const values = rows.filter((row) => !cut.includes(row.key)).flatMap((row) => series.map((s) => row[s.field] ?? 0));
    const maxValue = niceMax(Math.max(...values, refLine?.value ?? 0) * 1.1);
    const scale = (v) => Math.min((v ?? 0) / maxValue, 1) * (bottom - top);
    const digits = (v) => (unit === "ms" && v < 100 ? 1 : 0);
    out.push(`<text x="${x0}" y="${top - 16}" font-weight="bold">${esc(title)}</text>`);
    for (let k = 0; k <= 4; k++) {
      const v = (maxValue * k) / 4;
      const y = bottom - scale(v);
      out.push(`<line x1="${x0 + 44}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x0 + 40}" y="${y + 4}" text-anchor="end" fill="#666">${fmt(v, v > 0 && v < 10 ? 1 : 0)}</text>`);
    }
    const groupW = (width - 50) / rows.length;
    rows.forEach((row, i) => {
      const gx = x0 + 50 + i * groupW;
      const barW = (groupW - 12) / series.length;
      series.forEach((s, j) => {
        const v = row[s.field];
        const h = scale(v);
        const x = gx + j * barW;
        out.push(
          `<rect x="${x.toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${h.toFixed(1)}" fill="${colorOf(row)}" fill-opacity="${s.opacity}"/>`,
        );
        if ((v ?? 0) > maxValue) {
          const yb = bottom - (bottom - top) * 0.8;
          out.push(
            `<path d="M${x.toFixed(1)} ${yb + 4} l${((barW - 3) / 2).toFixed(1)} -8 l${((barW - 3) / 2).toFixed(1)} 8 v6 l-${((barW - 3) / 2).toFixed(1)} -8 l-${((barW - 3) / 2).toFixed(1)} 8 z" fill="#fff"/>`,
          );
        }
        const off = (v ?? 0) > maxValue;
        out.push(
          `<text x="${(x + (barW - 3) / 2).toFixed(1)}" y="${(off ? top + 14 : bottom - h - 4).toFixed(1)}" text-anchor="middle" font-size="10.5"${off ? ' fill="#fff" font-weight="bold"' : ""}>${v === null || v === undefined ? "–" : fmt(v, digits(v))}</text>`,
        );
      });
      const cx = gx + (groupW - 12) / 2;
      out.push(`<text x="${cx}" y="${bottom + 16}" text-anchor="middle" font-size="11.5">${esc(row.short)}</text>`);
      const r = row.key === "crypto" ? null : ratioOf(row);
      if (r !== null && r !== undefined && !Number.isNaN(r))
        out.push(`<text x="${cx}" y="${bottom + 31}" text-anchor="middle" font-size="11" fill="#555">${esc(`${fmt(r, 2)}×`)}</text>`);
    });
    if (refLine) {
      const y = bottom - scale(refLine.value);
      out.push(`<line x1="${x0 + 44}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="#2a9d3f" stroke-dasharray="5 4"/>`);
      out.push(
        `<line x1="${x0 + width - 200}" x2="${x0 + width - 180}" y1="${top + 7}" y2="${top + 7}" stroke="#2a9d3f" stroke-dasharray="5 4"/>`,
      );
      out.push(`<text x="${x0 + width - 176}" y="${top + 11}" font-size="11" fill="#2a9d3f">${esc(refLine.label)}</text>`);
    }
    if (series.length > 1) {
      series.forEach((s, j) => {
        out.push(`<rect x="${x0 + 56 + j * 55}" y="${top + 2}" width="10" height="10" fill="#555" fill-opacity="${s.opacity}"/>`);
        out.push(`<text x="${x0 + 70 + j * 55}" y="${top + 11}">${esc(s.label)}</text>`);
      });
    }
  };
  const crypto = rows.find((r) => r.key === "crypto");
  panel(
    20,
    400,
    "Throughput, req/s (higher is better)",
    [{ field: "rps", opacity: 1, label: "req/s" }],
    "req/s",
    crypto?.rps ? { value: crypto.rps * 0.75, label: "target ≥ 0.75× crypto floor" } : null,
    (row) => row.rpsRatio,
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
    crypto?.p99 ? { value: crypto.p99 * 2, label: "target p99 ≤ 2× crypto floor" } : null,
    (row) => row.p99Ratio,
  );
  panel(
    880,
    380,
    "workerd CPU per request, µs (lower is better)",
    [{ field: "cpuUsPerRequest", opacity: 1, label: "µs" }],
    "µs",
    null,
    (row) => (crypto?.cpuUsPerRequest && row.cpuUsPerRequest ? row.cpuUsPerRequest / crypto.cpuUsPerRequest : null),
  );

  const seq = Object.fromEntries(results.sequential.rows.map((r) => [r.key, r]));
  const audits = ["hot", "spread"].map((phase) => {
    const list = results.audit.filter((a) => a.phase === phase);
    const worst = Math.max(...list.map((a) => (a.allInD1AfterMs === null ? Infinity : a.allInD1AfterMs)));
    return `${phase}: ${worst === Infinity ? "NOT all" : `all within ${fmt(worst)} ms`}${list.every((a) => a.exact) ? ", exact" : ", NOT exact"}${list.length > 1 ? ` (worst of ${list.length} runs)` : ""}`;
  });
  out.push(
    `<text x="20" y="${H - 46}" fill="#333">${esc(`(c) One request at a time: official SDK p50 ${ms(seq.sdk?.p50)} ms / p99 ${ms(seq.sdk?.p99)} ms = ${ratio(seq.sdk?.p50Ratio)} / ${ratio(seq.sdk?.p99Ratio)} the crypto floor's (${ms(seq.crypto?.p50)} / ${ms(seq.crypto?.p99)} ms, plain client); service with a plain client ${ms(seq.service?.p50)} / ${ms(seq.service?.p99)} ms.`)}</text>`,
  );
  out.push(
    `<text x="20" y="${H - 28}" fill="#333">${esc(`Audit rows in D1 after the load stopped (target ≤ 2 s, exact): ${audits.join("; ")}. Errors: ${results.targets.find((t) => t.name === "zero errors")?.measured ?? "?"}.`)}</text>`,
  );
  out.push(
    `<text x="20" y="${H - 10}" fill="#777">${esc("Under each bar: ratio to the crypto floor of the same run (a Worker doing only one HMAC-SHA256 verification and one RSA-2048 signature per request). Runtime floor = a constant response.")}</text>`,
  );
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.6, 2, 4, 6, 8, 10]) if (v <= m * exp) return m * exp;
  return 10 * exp;
}
