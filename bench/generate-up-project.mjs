// Writes a compose project for the up/down benchmark that both berth and docker-compose 1.29
// load unchanged: locally built image only, fast stops, one project network, a few published
// ports, named volumes, a read-only bind mount, environment, labels and depends_on chains.
// The same service specs drive the engine-floor runner of up-bench.mjs.
//
//   node bench/generate-up-project.mjs --dir DIR [--services N] [--image NAME]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UP_BENCH_IMAGE = 'berth-busybox:latest';
export const UP_BENCH_NETWORK = 'backend';
const CHAIN = 4; // services per depends_on chain: svc-04 <- svc-05 <- svc-06 <- svc-07
const VOLUMES = 4;

const pad = (i) => String(i).padStart(2, '0');
const serviceName = (i) => `svc-${pad(i)}`;

/** Plain data for each service; the compose file and the engine-floor runner are made from it. */
export function serviceSpecs(services) {
  return Array.from({ length: services }, (_, i) => ({
    name: serviceName(i),
    environment: { SERVICE_INDEX: String(i), LOG_LEVEL: 'info', PEER: serviceName(i - (i % CHAIN)) },
    labels: { 'bench.berth.tier': 'app', 'bench.berth.index': String(i) },
    alias: `node-${pad(i)}`,
    ports: i % 5 === 0 ? [{ hostIp: '127.0.0.1', target: 8080, protocol: 'tcp' }, { hostIp: '127.0.0.1', target: 9090, protocol: 'udp' }] : [],
    volume: i % 3 === 0 ? `data-${i % VOLUMES}` : undefined,
    configBind: i % 3 === 0,
    dependsOn: i % CHAIN !== 0 ? serviceName(i - 1) : undefined,
    // Short and long depends_on forms alternate along each chain.
    longDependsOn: i % 2 === 0,
  }));
}

export const volumeNames = (services) => Array.from({ length: Math.min(VOLUMES, services) }, (_, v) => `data-${v}`);

function serviceYaml(s, image) {
  const lines = [
    `  ${s.name}:`,
    `    image: ${image}`,
    '    command: ["sleep", "3600"]',
    // docker-init forwards SIGTERM to sleep, so stops take milliseconds, not the grace period.
    '    init: true',
    '    stop_grace_period: 2s',
    '    environment:',
    ...Object.entries(s.environment).map(([k, v]) => `      ${k}: "${v}"`),
    '    labels:',
    ...Object.entries(s.labels).map(([k, v]) => `      ${k}: "${v}"`),
    '    networks:',
    `      ${UP_BENCH_NETWORK}:`,
    `        aliases: [${s.alias}]`,
  ];
  if (s.ports.length > 0) lines.push('    ports:', ...s.ports.map((p) => `      - "${p.hostIp}::${p.target}${p.protocol === 'udp' ? '/udp' : ''}"`));
  if (s.volume !== undefined) lines.push('    volumes:', `      - ${s.volume}:/data`, ...(s.configBind ? ['      - ./config:/etc/app:ro'] : []));
  if (s.dependsOn !== undefined) {
    if (s.longDependsOn) lines.push('    depends_on:', `      ${s.dependsOn}:`, '        condition: service_started');
    else lines.push('    depends_on:', `      - ${s.dependsOn}`);
  }
  return lines.join('\n');
}

/** The compose file text (no `version` key: both tools read it as the Compose Specification). */
export function upProjectYaml({ services, image = UP_BENCH_IMAGE }) {
  const out = ['services:', ...serviceSpecs(services).map((s) => serviceYaml(s, image))];
  out.push('networks:', `  ${UP_BENCH_NETWORK}: {}`, 'volumes:', ...volumeNames(services).map((v) => `  ${v}: {}`));
  return `${out.join('\n')}\n`;
}

/** Writes compose.yaml and config/app.conf into dir (a new temp dir when omitted). */
export function generateUpProject({ services, image = UP_BENCH_IMAGE, dir }) {
  const d = dir ?? mkdtempSync(join(tmpdir(), `berth-up-bench-${services}-`));
  mkdirSync(join(d, 'config'), { recursive: true });
  writeFileSync(join(d, 'config', 'app.conf'), 'mode=bench\n');
  writeFileSync(join(d, 'compose.yaml'), upProjectYaml({ services, image }));
  return { dir: d, services };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const a = process.argv.slice(2);
  const get = (k) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const dir = get('--dir');
  if (dir === undefined) throw new Error('usage: generate-up-project.mjs --dir DIR [--services N] [--image NAME]');
  const r = generateUpProject({ services: Number(get('--services') ?? 12), image: get('--image') ?? UP_BENCH_IMAGE, dir: resolve(dir) });
  process.stdout.write(`wrote ${r.services} services to ${join(r.dir, 'compose.yaml')}\n`);
}
