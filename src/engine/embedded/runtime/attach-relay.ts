/**
 * Container input on the embedded engine goes through conmon's attach socket, `<bundle>/attach`
 * (with `--full-attach`). It is a SOCK_SEQPACKET socket, which Node cannot open, so a small
 * Perl relay (perl-base is essential on Debian) carries berth's input there, one relay per
 * attach. conmon copies the container's output to every attached client and blocks until the
 * client takes it, so the relay reads and drops those packets: berth streams the output from
 * the k8s-file log. Terminal sizes go through conmon's control fifo, `<bundle>/ctl`.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { TerminalSize } from '../../engine.js';

const PERL = ['/usr/bin/perl', '/bin/perl'];

/** conmon reads at most 32 KiB of a packet and drops the rest: input goes in smaller ones. */
export const RELAY_PACKET_BYTES = 16 * 1024;

/** conmon's control message type for a window resize (its `WIN_RESIZE_EVENT`). */
const WIN_RESIZE_EVENT = 1;
/** conmon ignores sizes above this. */
const MAX_CELLS = 1000;

/** The control fifo line that resizes the container's tty: `1 <rows> <cols>\n`. */
export function resizeMessage(size: TerminalSize): string {
  const cells = (n: number): number => Math.min(MAX_CELLS, Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)));
  return `${WIN_RESIZE_EVENT} ${cells(size.rows)} ${cells(size.cols)}\n`;
}

// Runs in the bundle's parent directory (the bundle itself appears only when the container
// starts): a relative address keeps clear of sun_path's 108 bytes. Arguments: the bundle's
// name, an optional control line written once connected and before any input, the packet size.
// Prints `C` once connected. Exits when conmon closes the socket (the container stopped);
// the end of its input shuts the socket's write side, which makes conmon close the container's
// stdin (unless it runs with --leave-stdin-open) while the output keeps being drained. It also
// leaves when berth is gone (its parent changed): conmon copes with a client that disappears.
const RELAY = String.raw`
use strict; use warnings; use Socket; use Errno; use Fcntl; use IO::Handle;
$SIG{PIPE} = 'IGNORE'; $| = 1;
my $parent = getppid();
my ($bundle, $ctl, $packet) = @ARGV;
my $sock;
# The socket appears (or replaces a stale one) when conmon starts the container.
while (1) {
  socket($sock, AF_UNIX, SOCK_SEQPACKET, 0) or die "socket: $!\n";
  last if connect($sock, pack_sockaddr_un("$bundle/attach"));
  die "connect to conmon's attach socket: $!\n" unless $!{ENOENT} || $!{ECONNREFUSED} || $!{ENOTDIR};
  close $sock; exit 0 if getppid() != $parent; select(undef, undef, undef, 0.02);
}
if (defined $ctl && $ctl ne '') {
  # The fifo is made by the same conmon, possibly a moment later; a stale one has no reader.
  for (1 .. 100) {
    if (sysopen(my $fh, "$bundle/ctl", O_WRONLY | O_NONBLOCK)) { syswrite($fh, $ctl); close $fh; last; }
    last unless $!{ENXIO} || $!{ENOENT};
    select(undef, undef, undef, 0.01);
  }
}
print "C\n";
$sock->blocking(0);
my ($open, $pending) = (1, '');
while (1) {
  my ($r, $w) = ('', '');
  vec($r, fileno($sock), 1) = 1;
  vec($r, fileno(STDIN), 1) = 1 if $open && $pending eq '';
  vec($w, fileno($sock), 1) = 1 if $pending ne '';
  my $n = select($r, $w, undef, 1);
  exit 0 if getppid() != $parent;
  if ($n < 0) { next if $!{EINTR}; die "select: $!\n"; }
  if (vec($r, fileno($sock), 1)) {
    my $got = sysread($sock, my $drop, 65536);
    exit 0 if defined $got && $got == 0;
    exit 0 if !defined $got && !$!{EAGAIN} && !$!{EINTR};
  }
  if ($open && $pending eq '' && vec($r, fileno(STDIN), 1)) {
    my $got = sysread(STDIN, $pending, $packet);
    if (!defined $got) { $pending = ''; next if $!{EINTR}; $got = 0; }
    if ($got == 0) { $open = 0; shutdown($sock, 1); }
  }
  if ($pending ne '') {
    # A packet is sent whole or not at all.
    if (defined syswrite($sock, $pending)) { $pending = ''; }
    elsif (!$!{EAGAIN} && !$!{EINTR}) { exit 0; }
  }
}
`;

export function relayArgs(bundleName: string, initialSize: TerminalSize | undefined): string[] {
  return ['-e', RELAY, bundleName, initialSize === undefined ? '' : resizeMessage(initialSize), String(RELAY_PACKET_BYTES)];
}

export type AttachRelay = ChildProcessByStdio<Writable, Readable, Readable>;

/** Undefined when there is no Perl to run the relay. */
export function startAttachRelay(bundleDir: string, initialSize: TerminalSize | undefined): AttachRelay | undefined {
  const perl = PERL.find((p) => existsSync(p));
  if (perl === undefined) return undefined;
  return spawn(perl, relayArgs(basename(bundleDir), initialSize), { cwd: dirname(bundleDir), stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Resizes the tty of the container whose conmon runs in `bundleDir`; false when no conmon reads
 * the fifo (not started yet, or gone): then there is no tty to resize.
 */
export async function resizeThroughConmon(bundleDir: string, size: TerminalSize): Promise<boolean> {
  let fh;
  try {
    // Non-blocking: opening a fifo nobody reads would otherwise wait forever.
    fh = await open(join(bundleDir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'ENOENT') return false;
    throw err;
  }
  try {
    await fh.write(resizeMessage(size));
    return true;
  } finally {
    await fh.close();
  }
}
