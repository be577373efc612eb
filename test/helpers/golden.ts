// Golden files: reviewed by hand once, then compared byte for byte.
// UPDATE_GOLDEN=1 npx vitest run test/render  rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "./inventory.js";

export function expectGolden(relPath: string, actual: string): void {
  const file = `${REPO_ROOT}test/golden/${relPath}`;
  if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(file)) {
    if (process.env["CI"] && !existsSync(file)) throw new Error(`golden file ${relPath} is missing (run with UPDATE_GOLDEN=1 and review it)`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual, `differs from test/golden/${relPath} (UPDATE_GOLDEN=1 to accept after review)`).toBe(readFileSync(file, "utf8"));
}
