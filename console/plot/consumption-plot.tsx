/**
 * A counter's total over time as a step line (uPlot, drawn on a canvas), with the cap and, where
 * overage is allowed, the hard limit (cap + overage) as dashed lines, so the plot shows the real
 * cap and not only the most the counter may reach. The figure's caption says the same in words
 * (a canvas is not read by screen readers), and its data-* attributes let tests read what it drew.
 */
import uPlot from "uplot";
import { useEffect, useRef } from "preact/hooks";
import { number } from "../ui/format";

export interface PlotPoint {
  /** ms since epoch */
  at: number;
  total: number;
}

interface ConsumptionPlotProps {
  code: string;
  points: PlotPoint[];
  /** The total at the window's start, before its first point. */
  start: number;
  /** How many consumptions the points sum up. */
  consumptions: number;
  cap: number | null;
  hardLimit: number | null;
  /** The window the points come from, and what it is ("this period", "the last 30 days"). */
  from: number;
  to: number;
  windowLabel: string;
  /** Shown under the plot: where the points come from and any bound on them. */
  note?: string;
}

const COLORS = { total: "#2f5bd3", cap: "#b54708", limit: "#b42318", grid: "#e4e7ec", axis: "#475467" };

export function ConsumptionPlot(props: ConsumptionPlotProps) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element || props.points.length === 0) return;
    const xs = [props.from / 1000, ...props.points.map((point) => point.at / 1000), props.to / 1000];
    const totals = [props.start, ...props.points.map((point) => point.total), props.points.at(-1)!.total];
    const data: uPlot.AlignedData = [xs, totals];
    const series: uPlot.Series[] = [
      {},
      { label: "Total", stroke: COLORS.total, width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } },
    ];
    if (props.cap !== null) {
      data.push(xs.map(() => props.cap));
      series.push({ label: "Cap", stroke: COLORS.cap, width: 1, dash: [6, 4], points: { show: false } });
    }
    if (props.hardLimit !== null && props.hardLimit !== props.cap) {
      data.push(xs.map(() => props.hardLimit));
      series.push({ label: "Cap + overage", stroke: COLORS.limit, width: 1, dash: [2, 3], points: { show: false } });
    }
    const top = Math.max(1, ...totals, props.cap ?? 0, props.hardLimit ?? 0);
    const plot = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: 200,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: [Math.min(0, ...totals), top * 1.1] } },
        axes: [
          { stroke: COLORS.axis, grid: { stroke: COLORS.grid } },
          { stroke: COLORS.axis, grid: { stroke: COLORS.grid }, size: 56 },
        ],
        series,
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, element.clientWidth), height: 200 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.points, props.start, props.cap, props.hardLimit, props.from, props.to]);

  const last = props.points.at(-1);
  const summary =
    props.points.length === 0
      ? `No consumption of ${props.code} recorded in ${props.windowLabel}.`
      : `${props.code} over ${props.windowLabel}: ${number(props.consumptions)} consumption${props.consumptions === 1 ? "" : "s"}, now ${number(last!.total)}` +
        (props.cap !== null ? ` of a cap of ${number(props.cap)}` : "") +
        (props.hardLimit !== null && props.hardLimit !== props.cap ? ` (hard limit ${number(props.hardLimit)} with overage)` : "") +
        ".";
  return (
    <figure
      class="plot"
      data-plot={props.code}
      data-points={String(props.points.length)}
      data-consumptions={String(props.consumptions)}
      data-last-total={last ? String(last.total) : ""}
      data-cap={props.cap === null ? "" : String(props.cap)}
      data-limit={props.hardLimit === null ? "" : String(props.hardLimit)}
    >
      {props.points.length > 0 && <div ref={container} class="plot-canvas" role="img" aria-label={summary} />}
      <figcaption>
        {summary}
        {props.points.length > 0 && (
          <span class="plot-key" aria-hidden="true">
            <span class="key total">total</span>
            {props.cap !== null && <span class="key cap">cap</span>}
            {props.hardLimit !== null && props.hardLimit !== props.cap && <span class="key limit">cap + overage</span>}
          </span>
        )}
        {props.note && <span class="hint"> {props.note}</span>}
      </figcaption>
    </figure>
  );
}
