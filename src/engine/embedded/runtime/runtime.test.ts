import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../../../test/helpers/eventually.js';
import { makeBusyboxRootfs, randomContainerId } from '../../../../test/embedded/runtime-fixture.js';
import { isEngineError } from '../../engine-error.js';
import { launchConmon, readExit, type ConmonLaunch } from './conmon.js';
import { buildOciConfig, readHostFacts, type OciConfigInput } from './oci-config.js';
import { OciRuntime } from './runtime.js';

const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d (stdout|stderr) ([FP]) (.*)$/;

function collect(child: ChildProcess): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

async function logLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '').map((l) => {
    const m = LOG_LINE.exec(l);
    assert.ok(m, `not a k8s-file line: ${l}`);
    return `${m[1]} ${m[2]} ${m[3]}`;
  });
}

let tmp = '';
let rootfs = '';

before(async () => {
  tmp = await mkdtemp('/tmp/berth-runtime-test-');
  rootfs = join(tmp, 'rootfs');
  await makeBusyboxRootfs(rootfs);
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

for (const prefer of ['crun', 'runc'] as const) {
  describe(`runtime ${prefer} + conmon`, () => {
    let rt: OciRuntime;
    const created: string[] = [];
    let base = '';

    before(async () => {
      base = join(tmp, prefer);
      rt = await OciRuntime.detect({ runtimeRoot: join(base, 'root'), workDir: join(base, 'work'), prefer });
    });

    after(async () => {
      for (const id of created) await rt.delete(id, true);
    });

    async function bundle(over: Partial<OciConfigInput> = {}): Promise<{ id: string; launch: ConmonLaunch }> {
      const id = randomContainerId();
      created.push(id);
      const dir = join(base, 'c', id);
      await mkdir(dir, { recursive: true });
      const spec = buildOciConfig({
        rootfs, readOnlyRootfs: false,
        process: { args: ['sh', '-c', 'true'], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'A=1'], cwd: '/', uid: 0, gid: 0, additionalGids: [], terminal: false },
        hostname: 'probe', mounts: [], network: { mode: 'none' }, privileged: false, capAdd: [], capDrop: [], securityOpt: [], sysctls: {}, ulimits: [],
        resources: {}, devices: [], cgroupsPath: `/berth-test-${id.slice(0, 16)}`, ...over,
      }, await readHostFacts());
      await writeFile(join(dir, 'config.json'), JSON.stringify(spec));
      return {
        id,
        launch: {
          id, bundleDir: dir, pidFile: join(dir, 'pid'), conmonPidFile: join(dir, 'conmon.pid'), logPath: join(dir, 'ctr.log'),
          exitDir: join(dir, 'exits'), persistDir: join(dir, 'persist'), socketDir: join(base, 'sockets'), tty: false, stdinOpen: false, stdinOnce: false, runtime: rt,
        },
      };
    }

    async function run(over: Partial<OciConfigInput>): Promise<{ id: string; launch: ConmonLaunch }> {
      const b = await bundle(over);
      await launchConmon(b.launch);
      await rt.start(b.id);
      return b;
    }

    const exitOf = (b: { launch: ConmonLaunch }): Promise<NonNullable<Awaited<ReturnType<typeof readExit>>>> =>
      eventually(() => readExit(b.launch), { intervalMs: 20, timeoutMs: 5000 });

    it(`detects ${prefer}`, () => {
      assert.equal(rt.info.name, prefer);
      assert.equal(rt.info.cgroupWorkaround, prefer === 'crun');
    });

    it('logs stdout and stderr in k8s-file format, records the exit code and appends across restarts', async () => {
      const b = await run({ process: { args: ['sh', '-c', 'echo out; echo err >&2; printf part; exit 3'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], terminal: false } });
      const exit = await exitOf(b);
      assert.equal(exit.exitCode, 3);
      assert.equal(exit.oomKilled, false);
      const lines = await logLines(b.launch.logPath);
      assert.deepEqual(lines.filter((l) => l.startsWith('stdout')), ['stdout F out', 'stdout P part']);
      assert.deepEqual(lines.filter((l) => l.startsWith('stderr')), ['stderr F err']);
      assert.equal((await rt.state(b.id))?.status, 'stopped');
      await rt.delete(b.id, false);
      assert.equal(await rt.state(b.id), undefined);
      await launchConmon(b.launch);
      assert.equal(await readExit(b.launch), undefined, 'the previous exit file is cleared');
      await rt.start(b.id);
      assert.equal((await exitOf(b)).exitCode, 3);
      assert.equal((await logLines(b.launch.logPath)).filter((l) => l === 'stdout F out').length, 2);
    });

    it('fails create with Docker\'s message for a missing command, with and without init', async () => {
      for (const initPath of [undefined, '/usr/bin/catatonit']) {
        const b = await bundle({ process: { args: ['nope'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], terminal: false }, ...(initPath !== undefined ? { initPath } : {}) });
        await assert.rejects(launchConmon(b.launch), (err: unknown) => isEngineError(err, 'failed') && err.message === 'exec: "nope": executable file not found in $PATH');
      }
    });

    it('stops with SIGTERM through the init (143), kills with SIGKILL (137), pauses and resumes', async () => {
      const cmd = { args: ['sleep', '60'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], terminal: false };
      const a = await run({ process: cmd, initPath: '/usr/bin/catatonit' });
      const k = await run({ process: cmd });
      const state = await rt.state(a.id);
      assert.equal(state?.status, 'running');
      const pids = await rt.ps(a.id);
      assert.equal(pids.length, 2, 'catatonit and sleep');
      assert.equal(pids.includes(state.pid), true);
      await rt.pause(a.id);
      assert.equal((await rt.state(a.id))?.status, 'paused');
      await rt.resume(a.id);
      assert.equal((await rt.state(a.id))?.status, 'running');
      await rt.kill(a.id, 'SIGTERM');
      await rt.kill(k.id, 'KILL');
      assert.equal((await exitOf(a)).exitCode, 143);
      assert.equal((await exitOf(k)).exitCode, 137);
      await assert.rejects(rt.kill(randomContainerId(), '9'), (err: unknown) => isEngineError(err, 'not-found'));
    });

    it('execs with env, user, cwd and exit code; tty; seccomp, init and memory limit are in effect', async () => {
      const b = await run({
        process: { args: ['sleep', '60'], env: ['PATH=/bin', 'A=1'], cwd: '/', uid: 0, gid: 0, additionalGids: [], terminal: false },
        initPath: '/usr/bin/catatonit', resources: { memoryBytes: 48 * 1024 * 1024 },
      });
      const r = await collect(rt.exec(b.id, { args: ['sh', '-c', 'echo $A $B; id; pwd; exit 4'], env: ['B=2'], cwd: '/tmp', user: { uid: 65534, gid: 65534 }, tty: false, detach: false }));
      assert.deepEqual(r, { code: 4, out: '1 2\nuid=65534(nobody) gid=65534(nogroup)\n/tmp\n', err: '' });
      const tty = await collect(rt.exec(b.id, { args: ['sh', '-c', 'tty; echo err >&2'], tty: true, detach: false }));
      assert.match(tty.out, /^\/dev\/pts\/\d+\r\nerr\r\n$/);
      assert.equal(tty.code, 0);
      const info = await collect(rt.exec(b.id, { args: ['sh', '-c', 'grep Seccomp: /proc/self/status; tr "\\0" " " < /proc/1/cmdline; echo; cat /sys/fs/cgroup/memory/memory.limit_in_bytes'], tty: false, detach: false }));
      assert.equal(info.out, 'Seccomp:\t2\n/dev/init -- sleep 60 \n50331648\n');
      const det = await collect(rt.exec(b.id, { args: ['sh', '-c', 'echo done > /tmp/detached'], tty: false, detach: true }));
      assert.equal(det.code, 0);
      assert.throws(() => rt.exec(randomContainerId(), { args: ['true'], tty: false, detach: false }), (err: unknown) => isEngineError(err, 'not-found'));
    });

    it('runs in the foreground for builds and deletes the container', async () => {
      const b = await bundle({ process: { args: ['sh', '-c', 'echo fg; exit 7'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], terminal: false } });
      let out = '';
      const sink = new Writable({ write(chunk: Buffer, _enc, cb) { out += chunk.toString(); cb(); } });
      assert.equal(await rt.runForeground(b.id, b.launch.bundleDir, { stdout: sink, stderr: sink }), 7);
      assert.equal(out, 'fg\n');
      assert.equal(await rt.state(b.id), undefined);
    });
  });
}
