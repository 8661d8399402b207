import kleur from 'kleur';
import type { LogLine } from '../../engine/engine.js';
import type { CliIo } from '../io.js';

export interface LogPrinterOptions {
  color: boolean;
  /** `--no-log-prefix`. */
  prefix: boolean;
  /** `--timestamps`: print the line's timestamp after the prefix. */
  timestamps: boolean;
}

export interface LogPrinter {
  /** Prints one line of a container (`name` without the project prefix, e.g. `web-1`). */
  line(container: string, service: string, line: LogLine): void;
  /** Registers a container name so the prefix width accounts for it before its first line. */
  register(container: string, service: string): void;
}

type Paint = (text: string) => string;

const bright =
  (code: number): Paint =>
  (text) =>
    `\u001b[${code}m${text}\u001b[39m`;

/** Services get colours in registration order; after 12 services the palette wraps. */
const PALETTE: readonly Paint[] = [
  (t) => kleur.cyan(t),
  (t) => kleur.yellow(t),
  (t) => kleur.green(t),
  (t) => kleur.magenta(t),
  (t) => kleur.blue(t),
  (t) => kleur.red(t),
  bright(96),
  bright(93),
  bright(92),
  bright(95),
  bright(94),
  bright(91),
];

/** The colour of the `index`-th registered service. */
export function paletteColor(index: number): Paint {
  const paint = PALETTE[index % PALETTE.length];
  if (paint === undefined) throw new Error('empty palette');
  return paint;
}

/**
 * Multiplexes container log lines as `web-1  | text`, prefixes padded to the longest name,
 * one colour per service (kleur), honouring NO_COLOR / --no-color.
 */
export function createLogPrinter(io: CliIo, opts: LogPrinterOptions): LogPrinter {
  const colors = new Map<string, Paint>();
  const names = new Set<string>();
  let width = 0;

  const register = (container: string, service: string): void => {
    if (!colors.has(service)) colors.set(service, paletteColor(colors.size));
    if (names.has(container)) return;
    names.add(container);
    // Like docker compose: one column of padding after the longest name.
    width = Math.max(width, container.length + 1);
  };

  return {
    register,
    line(container, service, line) {
      register(container, service);
      let out = '';
      if (opts.prefix) {
        const prefix = `${container.padEnd(width)} |`;
        const paint = colors.get(service);
        kleur.enabled = opts.color;
        out += `${opts.color && paint !== undefined ? paint(prefix) : prefix} `;
      }
      if (opts.timestamps && line.timestamp !== undefined) out += `${line.timestamp} `;
      io.writeOut(`${out}${line.text}\n`);
    },
  };
}
