/** The vendor console's entry: bundled by scripts/build-console.mjs into public/console/app.js (+ app.css). */
import { render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./console.css";
import { App } from "./app";

render(<App />, document.getElementById("root")!);
