/** Splits `repo[:tag][@digest]` without treating a registry port as a tag. */
export function splitImageRef(ref: string): { repository: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** The registry host a reference pulls from (`docker.io` for Docker Hub names). */
export function registryOf(ref: string): string {
  const { repository } = splitImageRef(ref);
  const slash = repository.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}
