// The results as a person reads them: a Markdown table (bench/results/latest.md, also the text
// pasted into the README) and an SVG chart (bench/results/latest.svg).

const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const ms = (n) => fmt(n, 2);
const ratio = (n) => (n === null || n === undefined ? "–" : `${fmt(n, 2)}×`);
const yes = (pass) => (pass === null ? "n/a" : pass ? "**pass**" : "**FAIL**");

export function markdown(results) {
  const { machine, config, load, sequential, audit, targets } = results;
  const lines = [];
  lines.push(`Run ${results.startedAt} (${results.label}), commit ${results.commit ?? "?"}.`);
  lines.push(
    `Machine: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, Linux ${machine.kernel}; Node ${machine.node}, workerd ${machine.workerd}, miniflare ${machine.miniflare}; load average at start ${machine.loadAverageAtStart.join(" / ")}.`,
  );
  lines.push(
    `Load: ${load.loadGenerator}, ${config.connections} connections, ${config.durationS} s per run after ${config.warmupS} s warm-up, ${config.rounds} round(s)${config.rounds > 1 ? " (medians)" : ""}; requests go straight to workerd (${config.socket}).`,
  );
  lines.push("");
  lines.push("| add_feature_consumption under load | req/s | p50 ms | p99 ms | errors | workerd CPU per request | other CPU on the machine | req/s vs crypto floor | p99 vs crypto floor |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of load.rows) {
    lines.push(
      `| ${row.label} | ${fmt(row.rps)} | ${ms(row.p50)} | ${ms(row.p99)} | ${fmt(row.errors)} | ${row.cpuUsPerRequest === null ? "–" : `${fmt(row.cpuUsPerRequest)} µs`} | ${row.otherCores === null ? "–" : `${fmt(row.otherCores, 2)} cores`} | ${ratio(row.rpsRatio)} | ${ratio(row.p99Ratio)} |`,
    );
  }
  lines.push("");
  lines.push(`| One request at a time (${config.sequentialRequests} requests) | client | p50 ms | p99 ms | errors | p50 vs crypto floor | p99 vs crypto floor |`);
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of sequential.rows) {
    lines.push(`| ${row.label} | ${row.client} | ${ms(row.p50)} | ${ms(row.p99)} | ${fmt(row.errors)} | ${ratio(row.p50Ratio)} | ${ratio(row.p99Ratio)} |`);
  }
  lines.push("");
  lines.push("| Audit rows after the load stops | accepted (counter totals) | seen as 2xx by clients | rows in D1 | all in D1 after | exact (none lost, none duplicated) |");
  lines.push("| --- | ---: | ---: | ---: | ---: | --- |");
  for (const a of audit) {
    lines.push(
      `| ${a.phase} | ${fmt(a.acceptedByCounters)} | ${fmt(a.clientOkTotal)} | ${fmt(a.rowsInD1)} | ${a.allInD1AfterMs === null ? "never" : a.allInD1AfterMs <= (a.firstPollMs ?? 0) + 30 ? `≤ ${fmt(a.allInD1AfterMs)} ms (first poll)` : `${fmt(a.allInD1AfterMs)} ms`} | ${a.exact ? "yes" : "**no**"} |`,
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

/** Grouped bars: req/s (left) and p50/p99 latency (right) for the four loaded runs. */
export function svgChart(results) {
  const rows = results.load.rows;
  const W = 960;
  const H = 440;
  const top = 70;
  const bottom = 360;
  const colors = { floor: "#9aa5b1", crypto: "#4c78a8", hot: "#f58518", spread: "#e45756" };
  const colorOf = (row) => colors[row.key] ?? "#888";
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="20" y="26" font-size="16" font-weight="600">add_feature_consumption: service vs. reference Workers (same workerd, ${results.config.connections} connections)</text>`);
  out.push(`<text x="20" y="46" fill="#555">${esc(`${results.startedAt} · ${results.label} · ${results.machine.cpuModel}, ${results.machine.logicalCpus} CPUs · ${results.load.loadGenerator}`)}</text>`);

  const panel = (x0, width, title, series, maxValue, unit, refLine) => {
    const scale = (v) => ((v ?? 0) / maxValue) * (bottom - top);
    out.push(`<text x="${x0}" y="${top - 8}" font-weight="600">${esc(title)}</text>`);
    // axis and grid
    for (let k = 0; k <= 4; k++) {
      const v = (maxValue * k) / 4;
      const y = bottom - scale(v);
      out.push(`<line x1="${x0 + 40}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x0 + 36}" y="${y + 4}" text-anchor="end" fill="#666">${fmt(v, v < 10 && v !== 0 ? 1 : 0)}</text>`);
    }
    const groupW = (width - 50) / rows.length;
    rows.forEach((row, i) => {
      const gx = x0 + 50 + i * groupW;
      const barW = (groupW - 16) / series.length;
      series.forEach((s, j) => {
        const v = row[s.field];
        const h = scale(v);
        const x = gx + j * barW;
        out.push(`<rect x="${x}" y="${bottom - h}" width="${barW - 4}" height="${h}" fill="${colorOf(row)}" fill-opacity="${s.opacity}"/>`);
        out.push(`<text x="${x + (barW - 4) / 2}" y="${bottom - h - 4}" text-anchor="middle" font-size="11">${v === null ? "–" : fmt(v, unit === "ms" ? 1 : 0)}</text>`);
      });
      out.push(`<text x="${gx + (groupW - 16) / 2}" y="${bottom + 16}" text-anchor="middle">${esc(row.short)}</text>`);
      const r = row[series[0].ratioField];
      if (r !== null && r !== undefined && row.key !== "crypto") out.push(`<text x="${gx + (groupW - 16) / 2}" y="${bottom + 31}" text-anchor="middle" fill="#555">${fmt(r, 2)}× crypto</text>`);
    });
    if (refLine) {
      const y = bottom - scale(refLine.value);
      out.push(`<line x1="${x0 + 40}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="#2a9d3f" stroke-dasharray="5 4"/>`);
      out.push(`<text x="${x0 + width}" y="${y - 4}" text-anchor="end" fill="#2a9d3f">${esc(refLine.label)}</text>`);
    }
    if (series.length > 1) {
      series.forEach((s, j) => {
        out.push(`<rect x="${x0 + width - 150 + j * 75}" y="${top - 20}" width="10" height="10" fill="#555" fill-opacity="${s.opacity}"/>`);
        out.push(`<text x="${x0 + width - 136 + j * 75}" y="${top - 11}">${esc(s.label)}</text>`);
      });
    }
  };

  const crypto = rows.find((r) => r.key === "crypto");
  const maxRps = niceMax(Math.max(...rows.map((r) => r.rps ?? 0)));
  const maxMs = niceMax(Math.max(...rows.map((r) => r.p99 ?? 0), (crypto?.p99 ?? 0) * 2));
  panel(20, 440, "Throughput, req/s (higher is better)", [{ field: "rps", ratioField: "rpsRatio", opacity: 1, label: "req/s" }], maxRps, "req/s", crypto?.rps ? { value: crypto.rps * 0.75, label: "target: 0.75× crypto floor" } : null);
  panel(500, 440, "Latency, ms (lower is better)", [
    { field: "p50", ratioField: "p99Ratio", opacity: 0.45, label: "p50" },
    { field: "p99", ratioField: "p99Ratio", opacity: 1, label: "p99" },
  ], maxMs, "ms", crypto?.p99 ? { value: crypto.p99 * 2, label: "target: p99 ≤ 2× crypto floor" } : null);
  const audits = results.audit.filter((a) => a.phase !== "sequential").map((a) => `${a.phase}: ${a.allInD1AfterMs === null ? "not all" : `all in ${fmt(a.allInD1AfterMs)} ms`}${a.exact ? ", exact" : ", NOT exact"}`);
  out.push(`<text x="20" y="${H - 28}" fill="#333">${esc(`Audit rows in D1 after the load stopped: ${audits.join("; ")}`)}</text>`);
  out.push(`<text x="20" y="${H - 10}" fill="#777">${esc("Ratios under the bars are to the crypto floor (one HMAC verify + one RSA-2048 signature) measured in the same run.")}</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * exp) return m * exp;
  return 10 * exp;
}
