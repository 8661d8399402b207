/** Docker-style label filters shared by containers, volumes, networks and events. */

/**
 * True when every filter entry matches: a string value must equal the label's value, an
 * `undefined` value only asks for the key to be present.
 */
export function matchesLabels(labels: Readonly<Record<string, string>>, filter: Readonly<Record<string, string | undefined>>): boolean {
  for (const [key, want] of Object.entries(filter)) {
    if (!Object.prototype.hasOwnProperty.call(labels, key)) return false;
    if (want !== undefined && labels[key] !== want) return false;
  }
  return true;
}
