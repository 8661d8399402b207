// After the test suite: removes the embedded engine's default `bridge` network of the test
// root once nothing uses it (the engine creates it on first use, like docker0), so a test run
// leaves no bridge or firewall chain behind. Reports containers a test failed to remove.
//   node test/cleanup-embedded.mjs [root]        (default: BERTH_TEST_ROOT or /var/lib/berth-test)
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = process.argv[2] ?? process.env.BERTH_TEST_ROOT ?? '/var/lib/berth-test';
if (!existsSync(root)) process.exit(0);
const { NetworkManager } = await import(join(repo, 'dist/src/engine/embedded/network/network-manager.js'));
const { ContainerStore } = await import(join(repo, 'dist/src/engine/embedded/state/container-store.js'));
const { embeddedPaths } = await import(join(repo, 'dist/src/engine/embedded/paths.js'));
const paths = embeddedPaths(root);
const left = await new ContainerStore(paths).list();
if (left.length > 0) process.stderr.write(`cleanup-embedded: ${left.length} container(s) left in ${root}: ${left.map((c) => c.record.name).join(', ')}\n`);
const networks = new NetworkManager(paths);
for (const net of await networks.list({})) {
  if (net.name !== 'bridge') {
    process.stderr.write(`cleanup-embedded: network ${net.name} left in ${root}\n`);
    continue;
  }
  if ((await networks.endpoints(net.id)).length === 0) await networks.remove(net.id);
}
