// Entry of the timing variant: src/index.ts, with the whole request timed and the per-stage
// figures served at GET /__bench/timing (?reset=1 clears them).
import worker, { ConsumptionCounter } from "../../../src/index.ts";
import { snapshot, timed } from "./stats.js";
export { ConsumptionCounter };

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/timing") return Response.json(snapshot(url.searchParams.has("reset")));
    const start = Date.now();
    return timed("whole request (Worker view)", worker.fetch(request, env, ctx)).then((response) => {
      // When the Worker started on this request and how long it took, for a client to compare
      // with its own clock (same machine): time before the Worker runs = start − client send time.
      const headers = new Headers(response.headers);
      headers.set("X-Bench-Worker", `${start};${Date.now() - start}`);
      return new Response(response.body, { status: response.status, headers });
    });
  },
};
