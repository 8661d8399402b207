import type { NamedProjectContext } from './context.js';
import { listProjectContainers } from './inspect/project-containers.js';

export interface ContainerImage {
  container: string;
  repository: string;
  tag: string;
  /** `sha256:…` */
  id: string;
  size: number;
}

/** `busybox:1.36` → [`busybox`, `1.36`]; `reg:5000/x` → [`reg:5000/x`, `latest`]; digests keep `<none>`. */
export function splitReference(ref: string): [string, string] {
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), '<none>'];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

/** `images`: the image each container (stopped ones too) was created from. */
export async function images(ctx: NamedProjectContext, services: string[]): Promise<ContainerImage[]> {
  const list = await listProjectContainers(ctx.engine, ctx.projectName, { services, all: true });
  const byId = new Map<string, Awaited<ReturnType<typeof ctx.engine.inspectImage>>>();
  for (const c of list) if (!byId.has(c.imageId)) byId.set(c.imageId, await ctx.engine.inspectImage(c.imageId));
  return list.map((c) => {
    const info = byId.get(c.imageId);
    // The container's own reference first: it names the tag the user wrote.
    const ref = c.image.startsWith('sha256:') ? (info?.repoTags[0] ?? '<none>:<none>') : c.image;
    const [repository, tag] = splitReference(ref);
    return { container: c.name, repository, tag, id: info?.id ?? c.imageId, size: info?.size ?? 0 };
  });
}
