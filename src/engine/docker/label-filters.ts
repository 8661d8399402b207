/** Label map → the `label` filter list of the Docker API (`key=value`, or `key` for presence). */
export function labelFilter(labels: Record<string, string | undefined>): string[] {
  return Object.keys(labels).sort().map((k) => {
    const v = labels[k];
    return v === undefined ? k : `${k}=${v}`;
  });
}

export function filtersJson(labels: Record<string, string | undefined>): string {
  const label = labelFilter(labels);
  return JSON.stringify(label.length === 0 ? {} : { label });
}
