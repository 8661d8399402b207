// Text rendering of the config benchmark report.
import { cpus, release, totalmem } from 'node:os';

export function machineInfo() {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cpus: c.length,
    memGb: Math.round(totalmem() / 1024 ** 3),
    os: `${process.platform} ${release()}`,
    node: process.version,
  };
}

function table(header, rows) {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells) => cells.map((c, k) => (k < 2 ? String(c).padEnd(widths[k]) : String(c).padStart(widths[k]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const yesNo = (b) => (b ? 'met' : 'NOT met');

export function renderTable(r) {
  const m = r.machine;
  const out = [
    `berth config benchmark, ${r.date}`,
    `machine: ${m.cpu} x${m.cpus}, ${m.memGb} GB, ${m.os}, node ${m.node}; load average (1 min) ${m.loadAvg1m.start} at start, ${m.loadAvg1m.end} at end`,
    `berth build: ${r.build.commit ?? 'unknown'}${r.build.dirty === true ? ' + uncommitted changes' : ''}${r.options.snapshot ? ' (snapshot of dist/ taken at start)' : ''}`,
    `project: ${r.project.services} services, ${r.project.files.join(' + ')} (seed ${r.project.seed}); cold process per run`,
    `runs: ${r.options.runs} timed (+${r.options.warmup} warm-up) and ${r.options.memRuns} memory runs per row, rounds interleaved`,
    `peer: ${r.peer.version === null ? 'docker-compose not installed' : `docker-compose ${r.peer.version}`}`,
    '',
    table(
      ['variant', 'tool', 'runs', 'median ms', 'p90 ms', 'min ms', 'max ms', 'peak RSS MB', 'services out'],
      r.results.map((x) => [x.variant, x.tool, x.runs, x.wallMs.median, x.wallMs.p90, x.wallMs.min, x.wallMs.max, x.peakRssMb.max, x.servicesOut]),
    ),
    '',
    'variants: full = every feature incl. !reset/!override and depends_on.restart;',
    '          peer = same project without what docker-compose 1.29 cannot load (apples to apples)',
  ];
  if (r.peer.fullVariant !== null && !r.peer.fullVariant.ok) out.push(`docker-compose on the full variant: fails (${r.peer.fullVariant.error})`);
  out.push(`peak RSS: ${[...new Set(r.results.map((x) => `${x.tool}: ${x.rssMethod}`))].join('; ')}`);
  if (r.ratios !== null) {
    const q = r.ratios;
    out.push('', `ratios on the peer variant (docker-compose / berth, >1 means berth is faster/smaller): median wall ${q.medianWall}x, p90 wall ${q.p90Wall}x, peak RSS ${q.peakRss}x`);
  }
  const t = r.targets;
  out.push(
    '',
    `issue targets (berth, full variant): wall < ${t.wall.targetMs} ms: ${yesNo(t.wall.met)} (median ${t.wall.medianMs} ms; p90 ${t.wall.p90Ms} ms ${yesNo(t.wall.metAtP90)}),`,
    `                                      peak RSS < ${t.rss.targetMb} MB: ${yesNo(t.rss.met)} (${t.rss.peakMb} MB)`,
    '',
  );
  return out.join('\n');
}
