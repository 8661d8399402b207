import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * dockerode loads gRPC (for BuildKit sessions) and docker-modem loads ssh2 (for `ssh://`
 * hosts) when they are first required, which is a large share of every engine command's start-up time.
 * berth uses neither on an ordinary connection, so they are registered as stand-ins that load
 * the real module the first time any of its properties is used. Imported for its effect,
 * before dockerode.
 */
const nodeRequire = createRequire(import.meta.url);

function defer(id: string, fromDir: string): void {
  let file: string;
  try {
    file = nodeRequire.resolve(id, { paths: [fromDir] });
  } catch {
    return;
  }
  if (nodeRequire.cache[file] !== undefined) return;
  let real: Record<string | symbol, unknown> | undefined;
  const load = (): Record<string | symbol, unknown> => {
    if (real === undefined) {
      delete nodeRequire.cache[file];
      real = nodeRequire(file) as Record<string | symbol, unknown>;
    }
    return real;
  };
  const standIn = new Proxy(
    {},
    {
      get: (_t, p) => load()[p],
      has: (_t, p) => p in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_t, p) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), p);
        return d === undefined ? undefined : { ...d, configurable: true };
      },
    },
  );
  nodeRequire.cache[file] = { id: file, filename: file, loaded: true, exports: standIn } as unknown as NodeJS.Module;
}

try {
  const dockerodeDir = dirname(nodeRequire.resolve('dockerode'));
  const modemDir = dirname(nodeRequire.resolve('docker-modem', { paths: [dockerodeDir] }));
  defer('@grpc/grpc-js', dockerodeDir);
  defer('@grpc/proto-loader', dockerodeDir);
  defer('ssh2', modemDir);
} catch {
  // Layout not as expected: dockerode then loads everything itself, only slower.
}
