// The bench's CPU split (bench/lib/perf.mjs, BENCH_PERF=1): each sample goes to the part it ran
// for. The stacks are shortened from real `perf script` output of a service run (leaf first).
import { describe, expect, it } from "vitest";
import { partOf } from "../lib/perf.mjs";

const W = "(/node_modules/@cloudflare/workerd-linux-64/bin/workerd)";
const js = (name: string) => `5603e01d68a4 JS:+${name} (/tmp/perf-26642.map)`;

describe("partOf", () => {
  it("charges the RSA arithmetic to the signature, whatever called it", () => {
    expect(partOf([`6834bae bn_sqrx8x_internal ${W}`])).toBe("RSA-2048 signature (BoringSSL)");
    expect(partOf([`6834bae __bn_sqrx8x_reduction ${W}`, js("'signText index.js:366:24")])).toBe("RSA-2048 signature (BoringSSL)");
  });

  it("charges a sample to the script of the first JavaScript frame above it", () => {
    expect(partOf([`4a178dc Builtins_ArrayMap ${W}`, js("#query database.worker.js:206:12")])).toBe("Miniflare: D1");
    expect(partOf([`tcmalloc::alloc ${W}`, js("'batch broker.worker.js:368:11")])).toBe("Miniflare: Queues");
    expect(partOf([js("'hashPath asset-worker.mjs:132:15")])).toBe("Miniflare: assets routing");
    expect(partOf([js("'fetch router-worker.mjs:1762:14")])).toBe("Miniflare: assets routing");
    expect(partOf([js("fetch miniflare:shared:546:3")])).toBe("Miniflare: D1 and Queues, shared code");
    expect(partOf([js(" bench-harness.mjs:403:14"), js("'consume index.js:26123:16")])).toBe("bench entry (poll gate)");
    expect(partOf([`Builtins_FulfillPromise ${W}`, js("'decide index.js:26396:9")])).toBe(
      "the Worker's JavaScript (request, objects, queue consumer)",
    );
  });

  it("separates SQLite and the V8 heap from the Worker's own JavaScript", () => {
    expect(partOf([`45c1ea2 sqlite3BtreeIndexMoveto ${W}`, `sqlite3_step ${W}`, js("'append index.js:25932:9")])).toBe(
      "SQLite in the Worker's objects",
    );
    // The implicit commit at the end of an object's turn runs with no JavaScript on the stack.
    expect(partOf([`45abd52 vdbeCommit ${W}`, `44c0d4d workerd::ActorSqlite::startImplicitTxnImpl ${W}`])).toBe(
      "SQLite in the Worker's objects",
    );
    expect(partOf([`4e03f45 v8::internal::Scavenger::ScavengeObject<v8::internal::CompressedHeapObjectSlot> ${W}`])).toBe(
      "V8 garbage collection and compiler",
    );
  });

  it("charges what runs with no script frame on the stack to the runtime or the kernel", () => {
    expect(partOf([`kj::_::Event::armDepthFirst ${W}`, `kj::_::waitImpl ${W}`])).toBe(
      "workerd and V8 native (HTTP, RPC, promises, I/O; no script frame)",
    );
    expect(partOf(["ffffffff pvm_irq_enable ([kernel.kallsyms])", `syscall ${W}`])).toBe("kernel (syscalls, page faults; no script frame)");
  });
});
