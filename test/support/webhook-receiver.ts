// A real HTTP receiver for webhook tests, started in Node by vitest's globalSetup (vitest.config.ts):
// the Worker's webhook deliveries reach it over the loopback interface exactly as they would reach a
// vendor's endpoint. Tests read what it received at GET /log/<name>.
//
// Paths (POST): /ok/<name> answers 204; /status/<code>/<name> answers <code>; /fail-first/<n>/<name>
// answers 500 to the first n requests, then 204.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { TestProject } from "vitest/node";

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiver: string;
  }
}

let server: Server | undefined;

export async function setup(project: TestProject): Promise<void> {
  const received = new Map<string, ReceivedWebhook[]>();
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const parts = (request.url ?? "/").split("/").filter(Boolean);
      if (request.method === "GET" && parts[0] === "log") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(received.get(parts[1] ?? "") ?? []));
        return;
      }
      const name = parts.at(-1) ?? "";
      const log = received.get(name) ?? [];
      received.set(name, log);
      let status = 204;
      if (parts[0] === "status") status = Number(parts[1]);
      if (parts[0] === "fail-first") status = log.length < Number(parts[1]) ? 500 : 204;
      const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, String(value)]));
      log.push({ path: request.url ?? "", headers, body, status });
      response.writeHead(status);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the webhook receiver has no port");
  project.provide("webhookReceiver", `http://127.0.0.1:${address.port}`);
}

export async function teardown(): Promise<void> {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
