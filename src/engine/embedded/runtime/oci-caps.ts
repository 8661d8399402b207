/** Docker's capability arithmetic: defaults, cap_add/cap_drop (with ALL), privileged. */
import { EngineError } from '../../engine-error.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './oci-defaults.js';

/** "net_admin", "CAP_NET_ADMIN" and "ALL" → canonical names; unknown names are an error. */
export function normalizeCap(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) {
    throw new EngineError('unsupported', 'create', name, `unknown capability "${name}"`);
  }
  return full;
}

/**
 * The container's capability set, sorted. Only capabilities in the host's bounding set can be
 * granted (asking for more makes the runtime fail with EPERM).
 */
export function buildCapabilities(input: { privileged: boolean; capAdd: string[]; capDrop: string[] }, bounding?: string[]): string[] {
  const add = input.capAdd.map(normalizeCap);
  const drop = input.capDrop.map(normalizeCap);
  let caps: Set<string>;
  if (input.privileged) {
    caps = new Set(ALL_CAPABILITIES);
  } else if (add.includes('ALL')) {
    caps = new Set(ALL_CAPABILITIES.filter((c) => !drop.includes(c)));
  } else if (drop.includes('ALL')) {
    caps = new Set(add);
  } else {
    caps = new Set(DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)));
    for (const c of add) caps.add(c);
  }
  const allowed = bounding === undefined ? undefined : new Set(bounding);
  return [...caps].filter((c) => allowed === undefined || allowed.has(c)).sort();
}
