// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/:
// one ES module file instead of ~190 modules and their packages. Node spends
// most of a short command's 0.6 s resolving and compiling modules; a bundle
// cuts that by about a third (BENCHMARKS.md, "CLI start-up").
// ssh2 stays outside: it is CommonJS with optional native bindings
// (cpu-features, sshcrypto.node) that it loads itself with try/require.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist", "bundle");
rmSync(outDir, { recursive: true, force: true });
await build({
  input: join(root, "dist", "cli", "main.js"),
  platform: "node",
  external: ["ssh2", "cpu-features"],
  logLevel: "warn",
  onLog(level, log, handler) {
    // runtime.js imports the transports lazily; the lab imports them at once, so they share a chunk: expected, not a fault
    if (log.code === "INEFFECTIVE_DYNAMIC_IMPORT") return;
    handler(level, log);
  },
  output: { dir: outDir, format: "esm", entryFileNames: "main.js", chunkFileNames: "[name]-[hash].js" },
});
