// Runs a Node CLI entry in this process and records the process's peak RSS at exit.
//
//   BERTH_BENCH_RSS_FILE=/tmp/rss.txt node bench/rss-probe.mjs bin/berth config ...
//
// The CLI sees the same process.argv as `node bin/berth config ...`. At exit the probe
// writes `process.resourceUsage().maxRSS` (kilobytes, from getrusage) to the file named by
// BERTH_BENCH_RSS_FILE, or as a `maxRSS_kB=<n>` line on stderr when that is unset.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (entry === undefined) {
  process.stderr.write('usage: node bench/rss-probe.mjs <cli-entry> [args...]\n');
  process.exit(2);
}
const outFile = process.env.BERTH_BENCH_RSS_FILE;
// Keep the probe's own variable out of the environment the CLI sees.
delete process.env.BERTH_BENCH_RSS_FILE;

process.on('exit', () => {
  const kb = process.resourceUsage().maxRSS;
  if (outFile !== undefined && outFile !== '') writeFileSync(outFile, `${kb}\n`);
  else process.stderr.write(`maxRSS_kB=${kb}\n`);
});

const entryPath = resolve(entry);
process.argv = [process.argv[0] ?? 'node', entryPath, ...args];
await import(pathToFileURL(entryPath).href);
