import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runBoth } from './differential.js';

// dist/src/loader/yaml-fast/ → repository root
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Every file the library parses without diagnostics must go through the fast path unchanged. */
function checkAll(files: string[]): { same: number; rejected: number } {
  let same = 0;
  let rejected = 0;
  const bailed: string[] = [];
  for (const f of files) {
    const r = runBoth(readFileSync(f, 'utf8'), f);
    if (r.kind === 'same') same++;
    else if (r.libraryErrors > 0) rejected++;
    else bailed.push(`${f}: ${r.reason}`);
  }
  assert.deepEqual(bailed, []);
  return { same, rejected };
}

describe('fast YAML reader on real compose files', () => {
  it('handles every fixture and example the library accepts, identically', () => {
    const files = [...yamlFiles(join(ROOT, 'test/fixtures/loader')), ...yamlFiles(join(ROOT, 'examples'))];
    const { same } = checkAll(files);
    assert.ok(same > 300, `only ${same} files`);
  });

  it('handles the generated 500-service bench project (full and peer variants), identically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-yaml-fast-'));
    try {
      for (const variant of ['full', 'peer']) {
        const out = join(dir, variant);
        execFileSync(process.execPath, [join(ROOT, 'bench/generate-project.mjs'), '--dir', out, '--variant', variant]);
        const { same } = checkAll(yamlFiles(out));
        assert.equal(same, 5);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
