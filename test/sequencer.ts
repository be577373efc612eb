// Runs the slowest test files first, so that both workers stay busy to the
// end instead of one long file starting last. The durations come from a run
// of the suite (test/durations.json, refreshed by `node scripts/durations.mjs`
// after `bash scripts/test.sh`); a file not listed there yet goes first, as
// if it were slow, until it is measured.
import { readFileSync } from "node:fs";
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

function known(root: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(path.join(root, "test/durations.json"), "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = known(root);
    const unknown = Number.MAX_SAFE_INTEGER;
    const weight = (f: TestSpecification) => seconds[path.relative(root, f.moduleId).split(path.sep).join("/")] ?? unknown;
    return [...files].sort((a, b) => weight(b) - weight(a) || a.moduleId.localeCompare(b.moduleId));
  }
}
