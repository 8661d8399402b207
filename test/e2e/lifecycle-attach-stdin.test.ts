import { it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachEngine } from '../helpers/engines.js';
import { eventually } from '../helpers/eventually.js';
import { containersOf, projectSuite } from '../helpers/project-fixture.js';

const IMAGE = 'berth-test-busybox:latest';
const COMPOSE = `services:\n  svc:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n`;

/** Fails with what berth printed when it does not end within `ms` (a hang is the bug here). */
async function within<T>(ms: number, p: Promise<T>, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`berth did not exit within ${ms} ms\n${what()}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a terminal session printed for `echo $((6*7)); stty size; … exit CODE`: the answer, the
 * tty's size, berth's exit code, and the local terminal back to its settings.
 */
function assertSession(stdout: string, size: string, code: number): void {
  // The container's tty already ends lines with CR LF: the local terminal adds nothing.
  assert.match(stdout, /^42\r\n/m, JSON.stringify(stdout));
  const out = stdout.replace(/\r/g, '');
  assert.match(out, /^42$/m, out);
  assert.ok(out.split('\n').includes(size), out);
  assert.match(out, new RegExp(`^berth-exit=${code}$`, 'm'), out);
  assert.match(out, /^icanon$/m, 'the terminal is back in cooked mode');
  assert.match(out, /^opost$/m, 'output processing is back on');
}

forEachEngine('lifecycle: run forwards stdin, with and without a terminal', (engine) => {
  const suite = projectSuite(engine);
  const { project } = suite;

  it('piped stdin reaches the command; its end ends the container (cat, wc -l)', async () => {
    const p = project('stdinpipe').write(COMPOSE);
    const cat = p.spawn(['run', '--rm', '-T', 'svc', 'cat'], { input: 'hi\nthere\n' });
    const r = await within(30_000, cat.done, () => cat.out() + cat.err());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\nthere\n');
    const lines = p.spawn(['run', '--rm', '-T', 'svc', 'wc', '-l'], { input: 'a\nb\nc\n' });
    const counted = await within(30_000, lines.done, () => lines.out() + lines.err());
    assert.equal(counted.code, 0, counted.stderr);
    assert.equal(counted.stdout.trim(), '3');
    assert.equal((await containersOf(suite.engine(), p.name)).size, 0, '--rm removed the one-offs');
  });

  it('stdin at /dev/null, or an open pipe nobody reads: the container\'s exit code, and berth exits', async () => {
    const p = project('stdinnull').write(COMPOSE);
    const r = await within(30_000, p.run('run', '--rm', 'svc', 'sh', '-c', 'exit 3'), () => '');
    assert.equal(r.code, 3, r.stderr);
    const open = p.spawn(['run', '--rm', 'svc', 'sh', '-c', 'echo ignoring; exit 4'], { input: '', keepOpen: true });
    try {
      const ended = await within(30_000, open.done, () => open.out() + open.err());
      assert.equal(ended.code, 4, ended.stderr);
      assert.equal(ended.stdout, 'ignoring\n');
    } finally {
      open.stdin?.destroy();
    }
  });

  it('a terminal session: a tty sized like the local terminal, keystrokes forwarded, exit code, cooked mode after', async () => {
    const p = project('stdintty').write(COMPOSE);
    const flag = join(p.dir, 'resize-now');
    const session = p.spawnInTerminal(['run', '--rm', 'svc', 'sh'], { rows: 30, cols: 100, resize: { when: flag, rows: 40, cols: 120 } });
    try {
      await eventually(() => /[#$] /.test(session.out()), { timeoutMs: 30_000, message: 'no shell prompt' });
      session.stdin?.write('echo $((6*7)); stty size\n');
      await eventually(() => /^30 100\r?$/m.test(session.out()), { timeoutMs: 10_000, message: `no size in ${session.out()}` });
      writeFileSync(flag, '');
      // The local terminal's new size reaches the container's tty (SIGWINCH → resize).
      await eventually(() => {
        session.stdin?.write('stty size\n');
        return /^40 120\r?$/m.test(session.out());
      }, { timeoutMs: 10_000, intervalMs: 500, message: 'the container\'s tty was not resized' });
      session.stdin?.write('exit 5\n');
      const r = await within(30_000, session.done, () => session.out());
      assertSession(r.stdout, '30 100', 5);
    } finally {
      session.stdin?.destroy();
      // A no-op once it exited; otherwise berth gets the hang-up of its terminal.
      session.kill('SIGKILL');
    }
  });

  it('exec with a terminal: the tty has the local terminal\'s size, the exit code is returned', async () => {
    const p = project('stdinexec').write(COMPOSE);
    await p.ok(['up', '-d']);
    const session = p.spawnInTerminal(['exec', 'svc', 'sh'], { rows: 33, cols: 90 });
    try {
      await eventually(() => /[#$] /.test(session.out()), { timeoutMs: 30_000, message: 'no shell prompt' });
      session.stdin?.write('echo $((6*7)); stty size; exit 6\n');
      const r = await within(30_000, session.done, () => session.out());
      assertSession(r.stdout, '33 90', 6);
    } finally {
      session.stdin?.destroy();
      session.kill('SIGKILL');
    }
  });
});
