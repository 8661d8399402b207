import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerSpec, Engine } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';
import { BASE_IMAGE } from '../helpers/docker.js';

// Compiled to dist/test/e2e/: the repository root is three levels up.
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const berthBin = join(repo, 'bin', 'berth');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: repo, NO_COLOR: '1' };
  if (process.env.DOCKER_HOST !== undefined) base.DOCKER_HOST = process.env.DOCKER_HOST;
  return { ...base, ...extra };
}

/** Runs `berth args…` to completion (asynchronously, so the test can act meanwhile). */
export function berth(args: string[], opts: { cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [berthBin, ...args], { cwd: opts.cwd ?? repo, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A running `berth` whose output is collected as it comes; stop it with `signal()`. */
export function berthProcess(args: string[]): { out: () => string; err: () => string; kill: (sig: NodeJS.Signals) => void; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [berthBin, ...args], { cwd: repo, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { out: () => stdout, err: () => stderr, kill: (sig) => child.kill(sig), exit };
}

export function berthSync(args: string[]): Run {
  const r = spawnSync(process.execPath, [berthBin, ...args], { cwd: repo, env: env(), encoding: 'utf8', input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A container spec labelled the way docker compose labels a service replica (or a one-off). */
export function serviceSpec(project: string, service: string, n: number, command: string[], extra: Partial<ContainerSpec> = {}, oneoff = false): ContainerSpec {
  const labels = {
    [LABEL.project]: project,
    [LABEL.service]: service,
    [LABEL.oneoff]: oneoff ? 'True' : 'False',
    [LABEL.configFiles]: `/srv/${project}/compose.yaml`,
    ...(oneoff ? {} : { [LABEL.containerNumber]: String(n) }),
  };
  return {
    name: oneoff ? `${project}-${service}-run-${n}` : `${project}-${service}-${n}`,
    image: BASE_IMAGE,
    labels,
    command,
    env: [],
    tty: false,
    stdinOpen: false,
    exposedPorts: [],
    ports: [],
    mounts: [],
    // The project's own network (see createProjectNetwork), as compose does; not the default bridge.
    networkMode: `${project}_default`,
    networks: [{ network: `${project}_default`, aliases: [service] }],
    links: [],
    extraHosts: [],
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    restartPolicy: { name: 'no' },
    init: false,
    privileged: false,
    readOnlyRootfs: false,
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    sysctls: {},
    ulimits: [],
    tmpfs: {},
    devices: [],
    groupAdd: [],
    resources: {},
    volumesFrom: [],
    stopTimeoutSeconds: 1,
    ...extra,
  };
}

/** `<project>_default`, labelled so cleanupProject removes it. */
export async function createProjectNetwork(engine: Engine, project: string): Promise<void> {
  await engine.createNetwork({
    name: `${project}_default`,
    labels: { [LABEL.project]: project, [LABEL.network]: 'default' },
    internal: false,
    attachable: false,
    enableIpv6: false,
  });
}

/** Creates and starts a service container; returns its id. */
export async function runService(engine: Engine, spec: ContainerSpec, start = true): Promise<string> {
  const id = await engine.createContainer(spec);
  if (start) await engine.startContainer(id);
  return id;
}
