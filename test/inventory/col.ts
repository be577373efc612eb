// 1-based column of `needle` in a line of YAML written by a test: the
// assertions stay exact (file:line:col) while the test still reads.
export function col(line: string, needle: string, from = 0): number {
  const i = line.indexOf(needle, from);
  if (i < 0) throw new Error(`${needle} not in ${line}`);
  return i + 1;
}
