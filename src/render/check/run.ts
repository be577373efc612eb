// Runs a checker program: exit code decides, output is kept for the report.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export function runTool(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 60_000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    // A checker that exits without reading its input (yanglint on a file does)
    // closes the pipe first: EPIPE, which must not escape as an unhandled error.
    // The exit code still decides; any other stdin error is kept for the report.
    child.stdin.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") stderr += String(err);
    });
    child.stdin.end(options.input ?? "");
  });
}

const PATH_DIRS = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

/** The absolute path of an installed program, or undefined. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env["PATH"] ?? "").split(":").filter(Boolean), ...PATH_DIRS];
  for (const d of dirs) {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return `${d}/${name}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
