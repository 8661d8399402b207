/**
 * Columns the way the docker CLI's tabwriter lays them out (minimum width 10, padding 3): every
 * column but the last is padded to its widest cell plus three spaces.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(10, ...[h, ...rows.map((r) => r[i] ?? '')].map((c) => [...c].length + 3)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length))))
      .join('')
      .trimEnd();
  return [headers, ...rows].map((r) => `${line(r)}\n`).join('');
}
