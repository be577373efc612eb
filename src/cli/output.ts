// Terminal output: colour only on a TTY (or FORCE_COLOR), plain lines otherwise.
import type { Diagnostic } from "../inventory/diagnostics.js";
import { formatDiagnostic } from "../inventory/diagnostics.js";

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env["NO_COLOR"]) return false;
  if (process.env["FORCE_COLOR"] && process.env["FORCE_COLOR"] !== "0") return true;
  return Boolean(stream.isTTY);
}

const codes = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Color = keyof typeof codes;

export function paint(text: string, color: Color, enabled = useColor()): string {
  return enabled ? `\u001b[${codes[color]}m${text}\u001b[0m` : text;
}

export function printDiagnostics(list: readonly Diagnostic[], stream: NodeJS.WriteStream = process.stderr): void {
  const color = useColor(stream);
  for (const d of list) {
    const text = formatDiagnostic(d);
    stream.write(paint(text, d.severity === "error" ? "red" : "yellow", color) + "\n");
  }
}
