/**
 * Overlay mounts of container root filesystems, through mount(8)/umount(8) (Node has no
 * mount(2)). mount(2) takes at most one page of options, so long or odd lower paths go through
 * short symlinks beside the target, resolved relative to mount's working directory.
 */
import { readFileSync } from 'node:fs';
import { mkdir, realpath, rm, symlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { EngineError } from '../../engine-error.js';
import { ProcessStartError, runProcess } from '../runtime/process-runner.js';

export interface OverlayOptions {
  /** Top layer first (overlay's `lowerdir` order). Empty: an empty lower dir is created. */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  target: string;
  readOnly?: boolean;
}

/** Leaves room below the 4096-byte page for the NUL and anything mount(8) adds. */
const MAX_OPTIONS = 3800;
const UNSAFE_IN_OPTION = /[,:\\\s"]/;

interface ToolResult { code: number; stderr: string }

async function runTool(tool: string, args: string[], cwd?: string): Promise<ToolResult> {
  try {
    const r = await runProcess(tool, args, cwd !== undefined ? { cwd } : {});
    return { code: r.code, stderr: r.code === 0 ? r.stderr : r.stderr.trim() || `${tool} exited with code ${r.code}` };
  } catch (err) {
    if (err instanceof ProcessStartError && err.code === 'ENOENT') {
      throw new EngineError('unavailable', tool, tool, `${tool} not found: install the Debian package mount (apt-get install mount)`, { cause: err });
    }
    throw err;
  }
}

/** Helper paths beside the target: `.<target>-lower/` (symlinks) and `.<target>-empty/`. */
function helperDir(target: string, kind: 'lower' | 'empty'): string {
  return join(dirname(target), `.${basename(target)}-${kind}`);
}

/** `path` relative to `cwd` when that is shorter and safe, else absolute. */
function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && rel.length < path.length && !isAbsolute(rel) ? rel : path;
}

interface Plan { cwd: string; options: string }

async function planOptions(opts: OverlayOptions): Promise<Plan> {
  const target = resolve(opts.target);
  const upper = resolve(opts.upperDir);
  const work = resolve(opts.workDir);
  for (const [what, p] of [['upperdir', upper], ['workdir', work]] as const) {
    if (UNSAFE_IN_OPTION.test(p)) {
      throw new EngineError('failed', 'mount overlay', target, `mount overlay on ${target}: ${what} ${p} contains a character overlay options cannot carry (, : \\ space or ")`);
    }
  }
  let lowers = opts.lowerDirs.map((d) => resolve(d));
  if (lowers.length === 0) {
    const empty = helperDir(target, 'empty');
    await rm(empty, { recursive: true, force: true });
    await mkdir(empty, { recursive: true, mode: 0o755 });
    lowers = [empty];
  }
  const tail = (cwd?: string): string => {
    const u = cwd === undefined ? upper : shortPath(upper, cwd);
    const w = cwd === undefined ? work : shortPath(work, cwd);
    return `upperdir=${u},workdir=${w}${opts.readOnly === true ? ',ro' : ''}`;
  };
  const direct = `lowerdir=${lowers.join(':')},${tail()}`;
  if (direct.length <= MAX_OPTIONS && !lowers.some((l) => UNSAFE_IN_OPTION.test(l))) return { cwd: '/', options: direct };

  // Short names: `.rootfs-lower/0`, `/1`, … → the layer dirs; mount runs inside that dir.
  const links = helperDir(target, 'lower');
  await rm(links, { recursive: true, force: true });
  await mkdir(links, { recursive: true, mode: 0o700 });
  const names = lowers.map((_, i) => i.toString(36));
  await Promise.all(lowers.map((l, i) => symlink(l, join(links, names[i] ?? String(i)))));
  const options = `lowerdir=${names.join(':')},${tail(links)}`;
  if (options.length > MAX_OPTIONS) {
    throw new EngineError('failed', 'mount overlay', target, `mount overlay on ${target}: ${lowers.length} layers do not fit in the mount options`);
  }
  return { cwd: links, options };
}

export async function mountOverlay(opts: OverlayOptions): Promise<void> {
  const target = resolve(opts.target);
  await mkdir(target, { recursive: true, mode: 0o755 });
  await mkdir(opts.upperDir, { recursive: true, mode: 0o755 });
  await mkdir(opts.workDir, { recursive: true, mode: 0o700 });
  const plan = await planOptions(opts);
  const res = await runTool('mount', ['-t', 'overlay', 'overlay', '-o', plan.options, target], plan.cwd);
  if (res.code !== 0) {
    throw new EngineError('failed', 'mount overlay', target, `mount overlay on ${target}: ${res.stderr}`);
  }
}

/** Unmounts `target`; a target that is not mounted (or missing) is fine; a busy one is detached lazily. */
export async function unmountOverlay(target: string): Promise<void> {
  const abs = resolve(target);
  // Several mounts may be stacked on the target (a crash between mount and state write): peel them all.
  for (let i = 0; i < 16 && (await isMounted(abs)); i++) {
    const res = await runTool('umount', [abs]);
    if (res.code === 0) continue;
    if (!(await isMounted(abs))) break;
    // Busy (a process still has its cwd or a file there): detach now, the kernel frees it later.
    const lazy = await runTool('umount', ['-l', abs]);
    if (lazy.code !== 0 && (await isMounted(abs))) {
      throw new EngineError('failed', 'unmount overlay', abs, `unmount ${abs}: ${res.stderr}; lazy unmount: ${lazy.stderr}`);
    }
  }
  await rm(helperDir(abs, 'lower'), { recursive: true, force: true });
  await rm(helperDir(abs, 'empty'), { recursive: true, force: true });
}

/** mountinfo escapes space, tab, newline and backslash as `\ooo` octal of the byte. */
function unescapeMountPath(field: string): string {
  const bytes = field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function mountPoints(): Promise<string[]> {
  // Synchronous: a procfs read never blocks on a disk, and an `up` reads this file per container.
  const text = readFileSync('/proc/self/mountinfo', 'latin1');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ', 5)[4];
    if (field !== undefined) out.push(field.includes('\\') || /[\x80-\xff]/.test(field) ? unescapeMountPath(field) : field);
  }
  return Promise.resolve(out);
}

async function canonical(path: string): Promise<string | undefined> {
  try {
    return await realpath(resolve(path));
  } catch {
    return undefined;
  }
}

export async function isMounted(target: string): Promise<boolean> {
  const abs = await canonical(target);
  if (abs === undefined) return false;
  return (await mountPoints()).includes(abs);
}

/** Mount points at or below `dir` (absolute, deepest first, each once), from /proc/self/mountinfo. */
export async function listMountsUnder(dir: string): Promise<string[]> {
  const abs = await canonical(dir);
  if (abs === undefined) return [];
  const prefix = abs.endsWith('/') ? abs : `${abs}/`;
  const found = new Set((await mountPoints()).filter((m) => m === abs || m.startsWith(prefix)));
  return [...found].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}
