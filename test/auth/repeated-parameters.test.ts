// An ambiguous Authorization header is refused: a parameter named twice (in any letter case), or two
// Authorization headers (which reach the Worker joined by ", ", so they name every parameter twice).
// Anything in front of the Worker that reads the first value would otherwise see another identity
// than the Worker, which used the last one.
import { beforeAll, describe, expect, it } from "vitest";
import { callWorker } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { computeSignature } from "../support/signing";

let fixture: Fixture;
let credentials: Credentials;
let decoy: Credentials;

beforeAll(async () => {
  fixture = await createFixture();
  credentials = await createApiKey();
  decoy = await createApiKey();
});

function send(headers: Headers): Promise<Response> {
  headers.set("Content-Type", "application/json");
  return callWorker("/api/v4/add_feature_consumption", {
    method: "POST",
    headers,
    body: JSON.stringify({ ...fixture.identity, feature: fixture.featureCode }),
  });
}

async function signed(): Promise<{ date: string; signature: string }> {
  const date = new Date().toUTCString();
  return { date, signature: await computeSignature(credentials.sharedKey, date) };
}

async function expectRepeated(response: Response, parameter: string): Promise<void> {
  const body = (await response.json()) as { status: number; code: string; message: string };
  expect(response.status).toBe(400);
  expect(body).toEqual({
    status: 400,
    code: "authorization_missing_params",
    message: "The Authorization header must carry algorithm, headers, signature and apikey",
  });
  expect(response.headers.get("Error-Detail")).toBe(`The Authorization header repeats "${parameter}"`);
}

describe("a repeated Authorization parameter is authorization_missing_params", () => {
  it("the control: the same request with each parameter once is accepted", async () => {
    const { date, signature } = await signed();
    const headers = new Headers({
      Date: date,
      Authorization: `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${credentials.apiKey}"`,
    });
    expect((await send(headers)).status).toBe(200);
  });

  it("apikey twice, the real key last", async () => {
    const { date, signature } = await signed();
    const authorization = `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${decoy.apiKey}",apikey="${credentials.apiKey}"`;
    await expectRepeated(await send(new Headers({ Date: date, Authorization: authorization })), "apikey");
  });

  it("apikey twice in different letter case", async () => {
    const { date, signature } = await signed();
    const authorization = `algorithm="hmac-sha256",headers="date",signature="${signature}",APIKEY="${decoy.apiKey}",apikey="${credentials.apiKey}"`;
    await expectRepeated(await send(new Headers({ Date: date, Authorization: authorization })), "apikey");
  });

  it("signature twice, the valid one last", async () => {
    const { date, signature } = await signed();
    const authorization = `algorithm="hmac-sha256",headers="date",signature="AAAA",signature="${signature}",apikey="${credentials.apiKey}"`;
    await expectRepeated(await send(new Headers({ Date: date, Authorization: authorization })), "signature");
  });

  it("algorithm twice, and headers twice", async () => {
    const { date, signature } = await signed();
    const algorithm = `algorithm="hmac-md5",algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${credentials.apiKey}"`;
    await expectRepeated(await send(new Headers({ Date: date, Authorization: algorithm })), "algorithm");
    const signedHeaders = `algorithm="hmac-sha256",headers="host",headers="date",signature="${signature}",apikey="${credentials.apiKey}"`;
    await expectRepeated(await send(new Headers({ Date: date, Authorization: signedHeaders })), "headers");
  });

  it('two Authorization headers: the runtime joins them with ", ", and the joined value repeats every parameter', async () => {
    const { date, signature } = await signed();
    const decoySignature = await computeSignature(decoy.sharedKey, date);
    const first = `algorithm="hmac-sha256",headers="date",signature="${decoySignature}",apikey="${decoy.apiKey}"`;
    const second = `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${credentials.apiKey}"`;
    const headers = new Headers({ Date: date });
    headers.append("Authorization", first);
    headers.append("Authorization", second);
    // What the Worker reads: one value, both headers joined.
    expect(headers.get("Authorization")).toBe(`${first}, ${second}`);
    await expectRepeated(await send(headers), "algorithm");

    // The same header sent twice is just as ambiguous to whoever reads only one of them.
    const twice = new Headers({ Date: date });
    twice.append("Authorization", second);
    twice.append("Authorization", second);
    await expectRepeated(await send(twice), "algorithm");
  });
});
