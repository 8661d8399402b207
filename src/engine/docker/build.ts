import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { EngineError } from '../engine-error.js';
import type { BuildSpec, ProgressListener } from '../engine.js';
import { collectBuildContext } from './build-context.js';
import { call, toEngineError } from './errors.js';
import { jsonObjects, progressError } from './json-stream.js';
import { tarStream } from '../../model/tar.js';

export function buildQuery(spec: BuildSpec, dockerfile: string): Record<string, unknown> {
  return {
    dockerfile,
    ...(spec.tags.length === 0 ? {} : { t: spec.tags }),
    ...(Object.keys(spec.args).length === 0 ? {} : { buildargs: spec.args }),
    ...(Object.keys(spec.labels).length === 0 ? {} : { labels: spec.labels }),
    ...(spec.target === undefined ? {} : { target: spec.target }),
    ...(spec.noCache ? { nocache: true } : {}),
    ...(spec.pull ? { pull: '1' } : {}),
    ...(spec.network === undefined ? {} : { networkmode: spec.network }),
    ...(spec.extraHosts.length === 0 ? {} : { extrahosts: spec.extraHosts.join(',') }),
    ...(spec.shmSizeBytes === undefined ? {} : { shmsize: spec.shmSizeBytes }),
    ...(spec.platform === undefined ? {} : { platform: spec.platform }),
    // Intermediate containers of a failed build are not kept around.
    rm: true,
    forcerm: true,
  };
}

export async function buildImage(
  docker: Docker,
  spec: BuildSpec,
  opts: { onProgress?: ProgressListener; signal?: AbortSignal },
): Promise<string> {
  const name = spec.tags[0] ?? spec.context;
  let context;
  try {
    context = await collectBuildContext(spec);
  } catch (err) {
    throw new EngineError('failed', 'build image', name, `build image ${name}: cannot read the build context: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const query = { ...buildQuery(spec, context.dockerfile), ...(opts.signal === undefined ? {} : { abortSignal: opts.signal }) };
  const tar = tarStream(context.entries);
  const stream = await call('build image', name, () => docker.buildImage(tar, query as Docker.ImageBuildOptions) as Promise<Readable>);
  let id: string | undefined;
  try {
    for await (const o of jsonObjects(stream as AsyncIterable<Buffer>)) {
      const error = progressError(o);
      if (error !== undefined) throw new EngineError('failed', 'build image', name, `build image ${name}: ${error}`);
      const aux = o.aux;
      if (typeof aux === 'object' && aux !== null && typeof (aux as { ID?: unknown }).ID === 'string') id = (aux as { ID: string }).ID;
      if (typeof o.stream === 'string') {
        for (const line of o.stream.split('\n')) {
          const text = line.replace(/\r$/, '');
          if (text.trim() === '') continue;
          const step = /^Step \d+\/\d+ : /.exec(text);
          if (step !== null) opts.onProgress?.({ kind: 'build-step', image: name, step: text });
          opts.onProgress?.({ kind: 'build', image: name, line: text });
        }
      }
    }
  } catch (err) {
    throw toEngineError(err, 'build image', name);
  } finally {
    stream.destroy();
  }
  if (id !== undefined) return id;
  const first = spec.tags[0];
  if (first === undefined) throw new EngineError('failed', 'build image', name, `build image ${name}: the engine did not report the image id`);
  const image = await call('inspect image', first, () => docker.getImage(first).inspect());
  return image.Id;
}
