import type { RawMap, RawValue } from './raw.js';
import { copyEntryMeta, copySelfMeta, entryLocation, isRawMap, setEntryLocation, setSelfLocation } from './raw.js';
import { isIP } from 'node:net';

export class PortSpecError extends Error {}

/** One published port in long syntax, as docker compose prints it. */
export interface PortEntry {
  mode: 'ingress';
  host_ip?: string;
  target: number;
  published?: string;
  protocol: string;
}

function parseRange(text: string): [number, number] | undefined {
  const parts = text.split('-');
  const nums = parts.slice(0, 2).map((p) => (/^[0-9]+$/.test(p) ? Number(p) : NaN));
  const start = nums[0] ?? NaN;
  const end = parts.length === 1 ? start : (nums[1] ?? NaN);
  if (!(start <= 65535) || !(end <= 65535) || end < start) return undefined;
  return [start, end];
}

/**
 * Parses a short port spec (`[ip:][host[-range]:]container[-range][/proto]`) into one entry
 * per container port, with Docker's `nat.ParsePortSpec` rules: a host range with a single
 * container port stays a range (the engine picks one), ranges of different sizes are errors,
 * and the entries come out sorted by their `port/proto` key as text.
 */
export function parsePortSpec(spec: string): PortEntry[] {
  const parts = spec.split(':');
  const n = parts.length;
  const containerRaw = parts[n - 1] ?? '';
  let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  const hostPort = n >= 2 ? (parts[n - 2] ?? '') : '';
  const slash = containerRaw.split('/');
  let proto = 'tcp';
  let container = containerRaw;
  if (containerRaw === '' || slash[0] === '') container = '';
  else if (slash.length > 1) {
    container = slash[0] ?? '';
    if (slash[1] !== '') proto = slash[1] ?? 'tcp';
  }
  if (ip.startsWith('[')) {
    const close = ip.indexOf(']');
    if (close !== ip.length - 1) throw new PortSpecError(`invalid IP address ${ip}`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && isIP(ip) === 0) throw new PortSpecError(`invalid IP address: ${ip}`);
  if (container === '') throw new PortSpecError(`no port specified: ${spec}<empty>`);
  const cr = parseRange(container);
  if (cr === undefined) throw new PortSpecError(`invalid containerPort: ${container}`);
  let hr: [number, number] = [0, 0];
  if (hostPort !== '') {
    const r = parseRange(hostPort);
    if (r === undefined) throw new PortSpecError(`invalid hostPort: ${hostPort}`);
    hr = r;
  }
  const [start, end] = cr;
  if (hostPort !== '' && end - start !== hr[1] - hr[0] && end !== start) {
    throw new PortSpecError(`invalid ranges specified for container and host Ports: ${container} and ${hostPort}`);
  }
  const p = proto.toLowerCase();
  if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw new PortSpecError(`invalid proto: ${proto}`);
  const out: Array<{ key: string; entry: PortEntry }> = [];
  for (let i = 0; i <= end - start; i++) {
    let published = hostPort === '' ? '' : String(hr[0] + i);
    if (start === end && hr[0] !== hr[1]) published = `${hr[0]}-${hr[1]}`;
    const entry: PortEntry = {
      mode: 'ingress',
      ...(ip !== '' ? { host_ip: ip } : {}),
      target: start + i,
      ...(published !== '' ? { published } : {}),
      protocol: p,
    };
    out.push({ key: `${start + i}/${p}`, entry });
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out.map((o) => o.entry);
}

function portKey(p: RawValue): string {
  if (!isRawMap(p)) return JSON.stringify(p);
  const part = (v: RawValue | undefined, dflt: string): string => (v === undefined ? dflt : JSON.stringify(v));
  return `${part(p.host_ip, '"0.0.0.0"')}:${part(p.published, '')}:${part(p.target, '')}/${part(p.protocol, '"tcp"')}`;
}

/** Canonical port list for `service.ports` (short specs expanded, defaults set, duplicates dropped). */
export function normalizePorts(list: RawValue[], onError: (index: number, message: string) => void): RawValue[] {
  const expanded: RawValue[] = [];
  const origin: number[] = [];
  list.forEach((item, i) => {
    if (typeof item === 'string' && item.includes('${')) {
      // Only seen with interpolation off (`config --no-interpolate`): keep the spec as written.
      expanded.push(item);
      origin.push(i);
      return;
    }
    if (typeof item === 'number' || typeof item === 'string') {
      let entries: PortEntry[];
      try {
        entries = parsePortSpec(String(item));
      } catch (err) {
        if (err instanceof PortSpecError) onError(i, err.message);
        else throw err;
        return;
      }
      for (const e of entries) {
        const m: RawMap = { ...e };
        setSelfLocation(m, entryLocation(list, i));
        expanded.push(m);
        origin.push(i);
      }
      return;
    }
    if (isRawMap(item)) {
      const m: RawMap = {};
      copySelfMeta(item, m);
      if (!('mode' in item)) m.mode = 'ingress';
      for (const [k, v] of Object.entries(item)) {
        if (k === 'published' && typeof v === 'number') m[k] = String(v);
        else if (k === 'target' && typeof v === 'string' && /^[0-9]+$/.test(v)) m[k] = Number(v);
        else m[k] = v;
        copyEntryMeta(item, k, m, k);
      }
      if (!('protocol' in item)) m.protocol = 'tcp';
      expanded.push(orderPort(m));
      origin.push(i);
    }
  });
  // Later duplicates replace earlier ones in place, as compose-go's unicity pass does.
  const out: RawValue[] = [];
  const from: number[] = [];
  const seen = new Map<string, number>();
  expanded.forEach((p, j) => {
    const key = portKey(p);
    const at = seen.get(key);
    if (at !== undefined) {
      out[at] = p;
      from[at] = origin[j] ?? 0;
      return;
    }
    seen.set(key, out.length);
    out.push(p);
    from.push(origin[j] ?? 0);
  });
  from.forEach((i, j) => {
    const loc = entryLocation(list, i);
    if (loc !== undefined) setEntryLocation(out, j, loc);
  });
  copySelfMeta(list, out);
  return out;
}

const PORT_ORDER = ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'];

/** Key order of docker compose's output, extensions last. */
function orderPort(m: RawMap): RawMap {
  const out: RawMap = {};
  copySelfMeta(m, out);
  const keys = [...PORT_ORDER.filter((k) => k in m), ...Object.keys(m).filter((k) => !PORT_ORDER.includes(k))];
  for (const k of keys) {
    const v = m[k];
    if (v === undefined) continue;
    out[k] = v;
    copyEntryMeta(m, k, out, k);
  }
  return out;
}
