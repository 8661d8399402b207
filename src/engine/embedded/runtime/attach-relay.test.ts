import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RELAY_PACKET_BYTES, relayArgs, resizeMessage, resizeThroughConmon, startAttachRelay } from './attach-relay.js';
import { conmonArgs } from './conmon.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-relay-'));
  dirs.push(d);
  return d;
}

// Stands in for conmon's end of the attach socket: accepts one client, sends it an output
// packet (stream byte + data) as conmon does, prints what the client sent until it shut its
// write side, then closes.
const FAKE_CONMON = String.raw`
use strict; use warnings; use Socket; $| = 1;
socket(my $l, AF_UNIX, SOCK_SEQPACKET, 0) or die; bind($l, pack_sockaddr_un('attach')) or die "bind: $!";
listen($l, 1) or die; print "L\n";
accept(my $c, $l) or die; send($c, "\x02output", 0);
my $got = ''; while (1) { my $n = sysread($c, my $b, 65536); last if !$n; $got .= $b; }
print "GOT:$got\n"; close $c;
`;

describe('attach relay', () => {
  it('resizes with conmon\'s control line, sizes clamped to what conmon accepts', () => {
    assert.equal(resizeMessage({ rows: 30, cols: 100 }), '1 30 100\n');
    assert.equal(resizeMessage({ rows: 5000, cols: -3 }), '1 1000 0\n');
    assert.equal(resizeMessage({ rows: 24.7, cols: Number.NaN }), '1 24 0\n');
  });

  it('passes the bundle name, the first control line and the packet size to the relay', () => {
    const args = relayArgs('bundle', { rows: 30, cols: 100 });
    assert.equal(args[0], '-e');
    assert.deepEqual(args.slice(2), ['bundle', '1 30 100\n', String(RELAY_PACKET_BYTES)]);
    assert.deepEqual(relayArgs('bundle', undefined).slice(2), ['bundle', '', String(RELAY_PACKET_BYTES)]);
    assert.ok(RELAY_PACKET_BYTES < 32 * 1024, 'conmon truncates packets of 32 KiB and more');
  });

  it('waits for the socket, forwards input, drains output and ends when conmon closes', async () => {
    const dir = tempDir();
    const bundle = join(dir, 'bundle');
    // Started before the socket exists, as an attach before the container's start is.
    const relay = startAttachRelay(bundle, undefined);
    assert.ok(relay !== undefined, 'perl is installed');
    relay.stdin.write('typed ahead\n');
    mkdirSync(bundle);
    const server = spawn('perl', ['-e', FAKE_CONMON], { cwd: bundle, stdio: ['ignore', 'pipe', 'inherit'] });
    let serverOut = '';
    server.stdout.on('data', (d: Buffer) => (serverOut += d.toString()));
    relay.stdin.end('more\n');
    const [relayCode] = await Promise.all([
      new Promise((resolve) => relay.on('close', resolve)),
      new Promise((resolve) => server.on('close', resolve)),
    ]);
    assert.equal(relayCode, 0);
    assert.match(serverOut, /^GOT:typed ahead\nmore\n$/m);
  });

  it('writes sizes to the control fifo only while conmon reads it', async () => {
    const dir = tempDir();
    assert.equal(await resizeThroughConmon(dir, { rows: 3, cols: 4 }), false, 'no fifo yet');
    execFileSync('mkfifo', [join(dir, 'ctl')]);
    assert.equal(await resizeThroughConmon(dir, { rows: 3, cols: 4 }), false, 'no reader');
    const reader = await open(join(dir, 'ctl'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      assert.equal(await resizeThroughConmon(dir, { rows: 30, cols: 100 }), true);
      const { buffer, bytesRead } = await reader.read(Buffer.alloc(64), 0, 64, null);
      assert.equal(buffer.subarray(0, bytesRead).toString(), '1 30 100\n');
    } finally {
      await reader.close();
    }
  });

  it('conmon keeps the container\'s stdin open across attaches unless it is stdin-once', () => {
    const base = {
      id: 'c1', bundleDir: '/b', pidFile: '/p', conmonPidFile: '/cp', logPath: '/l', exitDir: '/e', persistDir: '/d', socketDir: '/s',
      tty: false, stdinOpen: true, stdinOnce: true, runtime: { conmonRuntimePath: '/crun' } as never,
    };
    assert.ok(conmonArgs(base).includes('-i'));
    assert.ok(!conmonArgs(base).includes('--leave-stdin-open'));
    assert.ok(conmonArgs({ ...base, stdinOnce: false }).includes('--leave-stdin-open'));
    assert.ok(!conmonArgs({ ...base, stdinOpen: false, stdinOnce: false }).includes('--leave-stdin-open'));
  });
});
