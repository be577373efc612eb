import { defineConfig } from "vitest/config";
import SlowestFirst from "./test/sequencer.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // 2-core machine: real servers per file; keep two files in flight at most
    maxWorkers: 2,
    // the slowest files first (test/durations.json), so that no long file starts last
    sequence: { sequencer: SlowestFirst },
  },
});
