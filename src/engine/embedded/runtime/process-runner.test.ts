import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ProcessStartError, runDirect, runProcess, startDaemon, startDaemonDirect, useHelper, type DaemonOptions, type DaemonStart, type ProcessResult, type RunOptions } from './process-runner.js';

type Runner = (file: string, args: readonly string[], opts?: RunOptions) => Promise<ProcessResult>;

async function startError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProcessStartError);
    return err.code;
  }
  assert.fail('expected a ProcessStartError');
}

// The helper (Perl) and the direct way must give the same results.
for (const [name, run] of [['through the helper', runProcess], ['directly', runDirect]] as Array<[string, Runner]>) {
  describe(`running tools ${name}`, () => {
    it('returns the exit code with stdout and stderr apart', async () => {
      assert.deepEqual(await run('sh', ['-c', 'echo out; echo err >&2; exit 3']), { code: 3, stdout: 'out\n', stderr: 'err\n' });
    });

    it('passes arguments unchanged: empty, spaces, a dash, UTF-8', async () => {
      assert.deepEqual(await run('printf', ['%s|', '', 'a b', '-', 'é ü']), { code: 0, stdout: '|a b|-|é ü|', stderr: '' });
    });

    it('feeds standard input and runs in the directory asked for', async () => {
      assert.equal((await run('cat', [], { input: 'line 1\nline 2' })).stdout, 'line 1\nline 2');
      assert.equal((await run('pwd', [], { cwd: '/tmp' })).stdout, '/tmp\n');
      assert.equal((await run('cat', [])).stdout, '');
    });

    it('reports a signal death as 128 + the signal number', async () => {
      assert.equal((await run('sh', ['-c', 'kill -TERM $$'])).code, 143);
      // The helper ignores interrupts itself; its tools must not inherit that.
      assert.equal((await run('sh', ['-c', 'kill -INT $$; sleep 1'])).code, 130);
    });

    it('rejects a tool that cannot start, and one that runs past its timeout', async () => {
      assert.equal(await startError(run('/nonexistent/tool', [])), 'ENOENT');
      assert.equal(await startError(run('sleep', ['5'], { timeoutMs: 200 })), 'ETIMEDOUT');
    });

    it('keeps concurrent runs apart', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => run('sh', ['-c', `sleep 0.0${i % 5}; echo ${i}; exit ${i % 7}`])));
      results.forEach((r, i) => assert.deepEqual(r, { code: i % 7, stdout: `${i}\n`, stderr: '' }));
    });
  });
}

describe('the helper', () => {
  it('leaves large input and output intact', async () => {
    const input = 'x'.repeat(100 * 1024);
    assert.equal((await runProcess('wc', ['-c'], { input })).stdout.trim(), String(input.length));
    const big = await runProcess('sh', ['-c', 'head -c 300000 /dev/zero | tr "\\0" y']);
    assert.equal(big.stdout.length, 300000);
    assert.match(big.stdout, /^y+$/);
  });
});

/** Whether a process is gone (a zombie counts as gone). */
function gone(pid: number): boolean {
  try {
    const stat = procState(pid);
    return stat === 'Z' || stat === 'X';
  } catch {
    return true;
  }
}
function procState(pid: number): string {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return text.charAt(text.lastIndexOf(')') + 2);
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${what} within 5 s`);
}

describe('the helper when berth dies', () => {
  it('kills the tools berth was waiting for, and leaves the daemons it had started running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-helper-'));
    const daemonPidFile = join(dir, 'daemon.pid');
    const toolPidFile = join(dir, 'tool.pid');
    let daemonPid = 0;
    let toolPid = 0;
    try {
      const moduleUrl = new URL('./process-runner.js', import.meta.url).href;
      const script = [
        `const { runProcess, startDaemon } = await import(${JSON.stringify(moduleUrl)});`,
        `await startDaemon('sh', ['-c', 'echo $$ > ${daemonPidFile}; echo "{\\"data\\": 1}" >&3; exec sleep 30'], { env: { PATH: '/usr/bin:/bin' }, timeoutMs: 5000 });`,
        `void runProcess('sh', ['-c', 'echo $$ > ${toolPidFile}; exec sleep 30']);`,
        'setInterval(() => undefined, 1000);',
      ].join('\n');
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
      const closed = new Promise((r) => child.on('close', r));
      await until(() => existsSync(toolPidFile) && existsSync(daemonPidFile), 'the tool and the daemon did not start');
      toolPid = parseInt(await readFile(toolPidFile, 'utf8'), 10);
      daemonPid = parseInt(await readFile(daemonPidFile, 'utf8'), 10);
      child.kill('SIGKILL');
      await closed;
      await until(() => gone(toolPid), 'the tool outlived berth');
      assert.equal(gone(daemonPid), false, 'the daemon died with berth');
    } finally {
      for (const pid of [daemonPid, toolPid]) if (pid > 0 && !gone(pid)) process.kill(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('without a working helper', () => {
  it('runs what a helper that never came up was sent, the direct way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-helper-'));
    try {
      // A "Perl" that exits at once, like one lacking the modules the helper needs.
      const broken = join(dir, 'perl');
      await writeFile(broken, '#!/bin/sh\nexit 2\n');
      await chmod(broken, 0o755);
      useHelper(broken);
      const results = await Promise.all([runProcess('echo', ['one']), runProcess('sh', ['-c', 'exit 4'])]);
      assert.deepEqual(results, [{ code: 0, stdout: 'one\n', stderr: '' }, { code: 4, stdout: '', stderr: '' }]);
      assert.deepEqual(await runProcess('echo', ['two']), { code: 0, stdout: 'two\n', stderr: '' });
      useHelper(false);
      assert.deepEqual(await runProcess('echo', ['three']), { code: 0, stdout: 'three\n', stderr: '' });
    } finally {
      useHelper(undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

type DaemonStarter = (file: string, args: readonly string[], opts: DaemonOptions) => Promise<DaemonStart>;

for (const [name, start] of [['through the helper', startDaemon], ['directly', startDaemonDirect]] as Array<[string, DaemonStarter]>) {
  describe(`starting a daemon ${name}`, () => {
    const env = { PATH: '/usr/bin:/bin', GREETING: 'hi there' };

    it('answers with the JSON on fd 3 while the daemon goes on, in its own session, with only the given environment', async () => {
      // The first process leaves at once (like conmon); its child reports, then keeps running.
      // (What the daemon ignores is read before `&`, which makes sh ignore SIGINT and SIGQUIT.)
      // The daemon goes on until the test opens its gate: an answer proves it came first.
      const dir = await mkdtemp(join(tmpdir(), 'berth-daemon-'));
      const gate = join(dir, 'gate');
      const script = String.raw`ign=$(grep SigIgn /proc/self/status | cut -f 2); ( echo "{\"data\": $$, \"env\": \"$GREETING/${'$'}{HOME:-none}\", \"sid\": $(cut -d ' ' -f 6 /proc/self/stat), \"ignored\": \"$ign\"}" >&3; while [ ! -e "$GATE" ] && [ -d "$GATE_DIR" ]; do sleep 0.05; done ) & exit 0`;
      let r: DaemonStart;
      try {
        r = await start('sh', ['-c', script], { env: { ...env, GATE: gate, GATE_DIR: dir }, timeoutMs: 30_000 });
      } finally {
        await writeFile(gate, '');
      }
      await rm(dir, { recursive: true, force: true });
      const msg = JSON.parse(/\{[^{}]*\}/.exec(r.sync)?.[0] ?? '{}') as { data: number; env: string; sid: number; ignored: string };
      // SIGINT (2) and SIGTERM (15) are not ignored by a daemon (conmon, then the container).
      assert.equal(BigInt(`0x${msg.ignored}`) & ((1n << 1n) | (1n << 14n)), 0n, msg.ignored);
      assert.equal(msg.env, 'hi there/none');
      assert.equal(msg.sid, r.pid, 'the daemon leads a session of its own');
      assert.ok(msg.data > 0);
      assert.ok(r.pid > 0);
    });

    it('answers with what it got when fd 3 closes without a JSON object', async () => {
      assert.equal((await start('sh', ['-c', 'printf "no json" >&3'], { env, timeoutMs: 5000 })).sync, 'no json');
    });

    it('rejects a daemon that cannot start, and one that stays silent', async () => {
      assert.equal(await startError(start('/nonexistent/daemon', [], { env, timeoutMs: 5000 })), 'ENOENT');
      assert.equal(await startError(start('sh', ['-c', 'sleep 3'], { env, timeoutMs: 300 })), 'ETIMEDOUT');
    });
  });
}
