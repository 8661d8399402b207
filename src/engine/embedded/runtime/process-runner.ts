/**
 * Runs the engine's short-lived tools (ip, iptables-save/-restore, mount, the OCI runtime's
 * start/state/delete). Node forks its whole process for every spawn, which blocks the event
 * loop for a millisecond or more per tool; an `up` runs dozens of tools. So the tools are
 * started by a small helper process instead — Perl, which Debian always has (perl-base is
 * essential) — that forks cheaply and reports each tool's exit status and output back over a
 * pipe. Without Perl, or for input too large for one pipe buffer, tools are spawned directly.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';

export interface ProcessResult { code: number; stdout: string; stderr: string }

export interface RunOptions {
  /** Written to the tool's standard input, which is then closed. */
  input?: string;
  cwd?: string;
  /** Killed (SIGKILL) after this long; the result is then a rejection. Default 30 s. */
  timeoutMs?: number;
}

/** Thrown when the tool cannot be started (`code` is the errno name, e.g. ENOENT) or timed out. */
export class ProcessStartError extends Error {
  constructor(readonly file: string, readonly code: string, message: string) {
    super(message);
  }
}

const PERL = ['/usr/bin/perl', '/bin/perl'];
/** Larger inputs might fill the pipe before the tool reads them: those go the direct way. */
const MAX_INPUT = 48 * 1024;

// Protocol, one line each way, every string hex-encoded (`-` for an empty one):
//   request:  <id> <timeout ms> <mode> <file> <cwd> <input> <environment> <arg>...
//   response: <id> <status> <stdout> <stderr>   status: exit code | S<signal> | E<errno name> | T (timed out)
// Mode `r` runs a tool. Mode `d` starts a daemon (conmon): its own session, /dev/null for
// stdio and a pipe at fd 3, answered (status Y, fd 3's text, the pid) as soon as that pipe
// carries a JSON object or closes; the environment (NUL-separated K=V) replaces the helper's.
const SERVER = String.raw`
use strict; use warnings; use POSIX qw(:sys_wait_h); use IO::Select; use Errno; use Fcntl qw(F_SETFD);
$| = 1; $SIG{PIPE} = 'IGNORE'; $SIG{CHLD} = sub {};
# Ctrl-C and kill reach berth, which stops gracefully and still needs its tools; the helper
# leaves when berth does (its stdin closes). The tools get the default dispositions back.
$SIG{INT} = 'IGNORE'; $SIG{TERM} = 'IGNORE'; $SIG{HUP} = 'IGNORE';
print STDOUT "0 R - -\n";
my $sel = IO::Select->new(\*STDIN);
my (%byfh, %bypid, $buf);
$buf = '';
sub hx { unpack('H*', $_[0] // '') } sub uh { pack('H*', $_[0] eq '-' ? '' : $_[0]) }
sub finish { my ($j) = @_; return if !$j->{done} || $j->{open}; delete $bypid{$j->{pid}};
  print STDOUT "$j->{id} $j->{status} " . hx($j->{out}) . ' ' . hx($j->{err}) . "\n"; }
sub synced { my ($j) = @_; return if $j->{answered}; $j->{answered} = 1; my $fh = $j->{syncfh};
  if (defined $fh) { $sel->remove($fh); delete $byfh{fileno($fh)}; close $fh; }
  print STDOUT "$j->{id} Y " . hx($j->{sync}) . ' ' . hx($j->{pid}) . "\n"; }
sub daemon {
  my ($id, $timeout, $file, $env, @args) = @_;
  my ($yr, $yw, $sr, $sw);
  pipe($yr, $yw) && pipe($sr, $sw) or do { print STDOUT "$id E" . hx('EMFILE') . " - -\n"; return; };
  my $pid = fork();
  if (!defined $pid) { print STDOUT "$id E" . hx('EAGAIN') . " - -\n"; close $_ for ($yr, $yw, $sr, $sw); return; }
  if ($pid == 0) {
    close $_ for ($yr, $sr); $SIG{$_} = 'DEFAULT' for qw(PIPE CHLD INT TERM HUP);
    POSIX::setsid();
    open(STDIN, '<', '/dev/null'); open(STDOUT, '>', '/dev/null'); open(STDERR, '>', '/dev/null');
    if (fileno($yw) == 3) { fcntl($yw, F_SETFD, 0); } else { POSIX::dup2(fileno($yw), 3); }
    %ENV = map { split /=/, $_, 2 } grep { $_ ne '' } split /\0/, $env;
    { no warnings 'exec'; exec { $file } $file, @args; }
    my $e = 0 + $!; syswrite($sw, "$e"); POSIX::_exit(127);
  }
  close $_ for ($yw, $sw);
  my $errno = ''; my $got; do { $got = sysread($sr, $errno, 16) } while (!defined $got && $!{EINTR}); close $sr;
  if ($errno ne '') { local $! = $errno; my $name = (grep { $!{$_} } keys %!)[0] // 'EIO';
    close $yr; print STDOUT "$id E" . hx($name) . " - -\n"; return; }
  my $j = { id => $id, pid => $pid, sync => '', syncfh => $yr, daemon => 1, answered => 0, status => '', deadline => time() + $timeout / 1000 };
  $bypid{$pid} = $j; $byfh{fileno($yr)} = [$j, 'sync', $yr]; $sel->add($yr);
}
sub start {
  my ($id, $timeout, $mode, $file, $cwd, $input, $env, @args) = split / /, $_[0], -1;
  ($file, $cwd, $input, $env) = (uh($file), uh($cwd), uh($input), uh($env)); @args = map { uh($_) } @args;
  return daemon($id, $timeout, $file, $env, @args) if $mode eq 'd';
  my ($ir, $iw, $or, $ow, $er, $ew, $sr, $sw);
  pipe($ir, $iw) && pipe($or, $ow) && pipe($er, $ew) && pipe($sr, $sw) or do { print STDOUT "$id E" . hx($!{EMFILE} ? 'EMFILE' : 'EPIPE') . " - -\n"; return; };
  my $pid = fork();
  if (!defined $pid) { print STDOUT "$id E" . hx('EAGAIN') . " - -\n"; close $_ for ($ir, $iw, $or, $ow, $er, $ew, $sr, $sw); return; }
  if ($pid == 0) {
    close $_ for ($iw, $or, $er, $sr); $SIG{$_} = 'DEFAULT' for qw(PIPE CHLD INT TERM HUP);
    open(STDIN, '<&', $ir); open(STDOUT, '>&', $ow); open(STDERR, '>&', $ew);
    if ($cwd ne '' && !chdir($cwd)) { my $e = 0 + $!; syswrite($sw, "$e"); POSIX::_exit(127); }
    { no warnings 'exec'; exec { $file } $file, @args; }
    my $e = 0 + $!; syswrite($sw, "$e"); POSIX::_exit(127);
  }
  close $_ for ($ir, $ow, $ew, $sw);
  my $errno = ''; my $got; do { $got = sysread($sr, $errno, 16) } while (!defined $got && $!{EINTR}); close $sr;
  if ($errno ne '') { local $! = $errno; my $name = (grep { $!{$_} } keys %!)[0] // 'EIO';
    close $_ for ($iw, $or, $er); waitpid($pid, 0); print STDOUT "$id E" . hx($name) . " - -\n"; return; }
  syswrite($iw, $input) if $input ne ''; close $iw;
  my $j = { id => $id, pid => $pid, out => '', err => '', open => 2, done => 0, status => '', deadline => time() + $timeout / 1000 };
  $bypid{$pid} = $j; for ([$or, 'out'], [$er, 'err']) { $byfh{fileno($_->[0])} = [$j, $_->[1], $_->[0]]; $sel->add($_->[0]); }
}
while (1) {
  # A child's exit (SIGCHLD) interrupts the wait; the timeout only serves the deadlines.
  for my $fh ($sel->can_read(0.5)) {
    if (fileno($fh) == fileno(STDIN)) {
      my $n = sysread(STDIN, $buf, 65536, length $buf);
      if (!$n) {
        # berth is gone. Whatever it still waited for dies with it: a tool or a daemon's launch
        # left running would go on changing what the next command (which takes over berth's
        # locks) sets up. A daemon is killed with its process group (conmon and its runtime).
        for my $j (values %bypid) { kill 'KILL', $j->{pid} if !$j->{daemon} && !$j->{done}; }
        for my $e (values %byfh) { my $j = $e->[0]; kill 'KILL', -$j->{pid} if $j->{daemon} && !$j->{answered}; }
        exit 0;
      }
      while ((my $i = index($buf, "\n")) >= 0) { my $line = substr($buf, 0, $i); $buf = substr($buf, $i + 1); start($line); }
      next;
    }
    my $e = $byfh{fileno($fh)}; my ($j, $which) = @$e;
    my $n = sysread($fh, $j->{$which}, 65536, length $j->{$which});
    if ($j->{daemon}) { synced($j) if !$n || $j->{sync} =~ /\{[^{}]*\}/; next; }
    if (!$n) { $sel->remove($fh); delete $byfh{fileno($fh)}; close $fh; $j->{open}--; finish($j); }
  }
  while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    my $j = $bypid{$pid} or next;
    # A daemon's first process leaves early; its answer comes from the fd 3 pipe.
    if ($j->{daemon}) { delete $bypid{$pid}; next; }
    $j->{status} = ($? & 127) ? 'S' . ($? & 127) : ($? >> 8) unless $j->{status} eq 'T';
    $j->{done} = 1; finish($j);
  }
  my $now = time();
  for my $j (values %bypid) { if (!$j->{daemon} && !$j->{done} && $j->{status} eq '' && $now > $j->{deadline}) { $j->{status} = 'T'; kill 'KILL', $j->{pid}; } }
  for my $e (values %byfh) { my $j = $e->[0]; if ($j->{daemon} && !$j->{answered} && $now > $j->{deadline}) { $j->{sync} = ''; $j->{answered} = 1;
    $sel->remove($e->[2]); delete $byfh{fileno($e->[2])}; close $e->[2]; print STDOUT "$j->{id} T - -\n"; } }
}
`;

interface Pending { file: string; args: readonly string[]; opts: RunOptions; resolve: (r: ProcessResult) => void; reject: (e: Error) => void; daemon?: DaemonOptions }

export interface DaemonOptions {
  /** The whole environment of the daemon. */
  env: Record<string, string>;
  /** How long to wait for the fd 3 message. */
  timeoutMs: number;
}

/** What a daemon sent on fd 3 (up to its first JSON object), and its first process's pid. */
export interface DaemonStart { sync: string; pid: number }

class Helper {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';
  private broken = false;
  /** Set by the helper's first line: from then on it may have started what it was sent. */
  private ready = false;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    const fail = (): void => this.fail(new Error('the process helper exited'));
    child.on('exit', fail);
    child.on('error', fail);
    child.stdout.on('close', fail);
    child.stdin.on('error', () => undefined);
    // The helper must not keep a finished command alive; it exits when its stdin closes.
    child.unref();
    (child.stdout as Readable & { unref?: () => void }).unref?.();
    (child.stdin as Writable & { unref?: () => void }).unref?.();
  }

  static start(interpreter: string | undefined): Helper | undefined {
    const perl = interpreter ?? PERL.find((p) => existsSync(p));
    if (perl === undefined) return undefined;
    try {
      return new Helper(spawn(perl, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'ignore'] }));
    } catch {
      return undefined;
    }
  }

  get usable(): boolean {
    return !this.broken;
  }

  run(file: string, args: readonly string[], opts: RunOptions, daemon?: DaemonOptions): Promise<ProcessResult> {
    const id = this.nextId++;
    const hex = (s: string): string => (s === '' ? '-' : Buffer.from(s, 'utf8').toString('hex'));
    const env = daemon === undefined ? '' : Object.entries(daemon.env).map(([k, v]) => `${k}=${v}`).join('\0');
    const timeout = daemon?.timeoutMs ?? opts.timeoutMs ?? 30_000;
    const line = [String(id), String(timeout), daemon === undefined ? 'r' : 'd', hex(file), hex(opts.cwd ?? ''), hex(opts.input ?? ''), hex(env), ...args.map(hex)].join(' ');
    return new Promise((resolve, reject) => {
      this.pending.set(id, { file, args, opts, resolve, reject, ...(daemon !== undefined ? { daemon } : {}) });
      // A request in flight keeps the command alive until its answer arrives.
      if (this.pending.size === 1) this.ref(true);
      this.child.stdin.write(`${line}\n`);
    });
  }

  private ref(on: boolean): void {
    const s = this.child.stdout as Readable & { ref?: () => void; unref?: () => void };
    if (on) {
      s.ref?.();
      this.child.ref();
    } else {
      s.unref?.();
      this.child.unref();
    }
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      this.answer(line);
    }
  }

  private answer(line: string): void {
    const [idText = '', status = '', out = '-', err = '-'] = line.split(' ');
    const id = Number(idText);
    if (id === 0) {
      this.ready = true;
      return;
    }
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.ref(false);
    const text = (h: string): string => (h === '-' ? '' : Buffer.from(h, 'hex').toString('utf8'));
    if (status.startsWith('E')) {
      const code = Buffer.from(status.slice(1), 'hex').toString('latin1');
      p.reject(new ProcessStartError(p.file, code, `${p.file}: cannot start: ${code}`));
    } else if (status === 'Y') {
      // A daemon's answer: fd 3's text in place of stdout, its pid in place of stderr.
      p.resolve({ code: 0, stdout: text(out), stderr: text(err) });
    } else if (status === 'T') {
      p.reject(new ProcessStartError(p.file, 'ETIMEDOUT', `${p.file}: timed out`));
    } else {
      // Killed by a signal: reported like a shell does, 128 + the signal number.
      const code = status.startsWith('S') ? 128 + Number(status.slice(1)) : Number(status);
      p.resolve({ code, stdout: text(out), stderr: text(err) });
    }
  }

  private fail(err: Error): void {
    if (this.broken) return;
    this.broken = true;
    // A helper that never came up (a Perl without the modules it needs) ran nothing: what it
    // was sent runs the direct way. One that dies later may have started a tool already.
    for (const p of this.pending.values()) {
      if (this.ready) p.reject(err);
      else if (p.daemon !== undefined) startDaemonDirect(p.file, p.args, p.daemon).then((d) => p.resolve({ code: 0, stdout: d.sync, stderr: String(d.pid) }), p.reject);
      else runDirect(p.file, p.args, p.opts).then(p.resolve, p.reject);
    }
    this.pending.clear();
  }
}

let helper: Helper | undefined | null = null;
let interpreter: string | false | undefined;

/**
 * For tests: the next runs use a new helper run by `perl` (a path), none at all (`false`), or
 * the default (`undefined`).
 */
export function useHelper(perl: string | false | undefined): void {
  interpreter = perl;
  helper = null;
}

/** Runs `file` with `args` and collects its output; rejects with ProcessStartError when it cannot start. */
export function runProcess(file: string, args: readonly string[], opts: RunOptions = {}): Promise<ProcessResult> {
  if (helper === null) helper = interpreter === false ? undefined : Helper.start(interpreter);
  if (helper?.usable === true && (opts.input ?? '').length <= MAX_INPUT) return helper.run(file, args, opts);
  return runDirect(file, args, opts);
}

/**
 * Starts a daemon that reports on fd 3 (conmon's sync pipe) in its own session with stdio on
 * /dev/null, and resolves with what it sent there once that holds a JSON object or closes.
 * Rejects with ProcessStartError when it cannot start or stays silent past the timeout.
 */
export async function startDaemon(file: string, args: readonly string[], opts: DaemonOptions): Promise<DaemonStart> {
  if (helper === null) helper = interpreter === false ? undefined : Helper.start(interpreter);
  if (helper?.usable !== true) return startDaemonDirect(file, args, opts);
  const r = await helper.run(file, args, {}, opts);
  return { sync: r.stdout, pid: Number(r.stderr) || 0 };
}

/** startDaemon the plain way: a detached Node child process. */
export function startDaemonDirect(file: string, args: readonly string[], opts: DaemonOptions): Promise<DaemonStart> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: opts.env });
    child.unref();
    const sync = child.stdio[3] as Readable;
    let text = '';
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sync.destroy();
      fn();
    };
    const timer = setTimeout(() => settle(() => reject(new ProcessStartError(file, 'ETIMEDOUT', `${file}: timed out`))), opts.timeoutMs);
    sync.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (/\{[^{}]*\}/.test(text)) settle(() => resolve({ sync: text, pid: child.pid ?? 0 }));
    });
    sync.on('end', () => settle(() => resolve({ sync: text, pid: child.pid ?? 0 })));
    sync.on('error', () => settle(() => resolve({ sync: text, pid: child.pid ?? 0 })));
    child.once('error', (e: NodeJS.ErrnoException) => settle(() => reject(new ProcessStartError(file, e.code ?? 'EIO', `${file}: cannot start: ${e.code ?? e.message}`))));
  });
}

/** The plain way: a Node child process. */
export function runDirect(file: string, args: readonly string[], opts: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ProcessStartError(file, e.code ?? 'EIO', `${file}: cannot start: ${e.code ?? e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new ProcessStartError(file, 'ETIMEDOUT', `${file}: timed out`));
      const status = code ?? 128 + (signal !== null ? osConstants.signals[signal] : 0);
      resolve({ code: status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
