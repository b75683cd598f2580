// Every benchmark script starts workerd processes (through Miniflare) that do not die with Node:
// whatever way the script ends (done, error, Ctrl-C, a closed pipe), they are disposed.
export function guard(cleanup) {
  let ending = false;
  const end = async (code, error) => {
    if (error) console.error(error);
    if (ending) return;
    ending = true;
    try {
      await cleanup();
    } finally {
      process.exit(code);
    }
  };
  process.once("SIGINT", () => void end(130));
  process.once("SIGTERM", () => void end(143));
  process.on("uncaughtException", (error) => void end(1, error));
  process.on("unhandledRejection", (error) => void end(1, error));
  process.stdout.on("error", () => void end(1));
  return end;
}
