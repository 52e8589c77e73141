/**
 * What an inspector tab's title says: the container (or file), then the
 * direction and capture filter when they are not the defaults, "(ended)" once
 * a capture has stopped, and a number when another open tab has the same
 * title: `web`, `web (egress, tcp port 80)`, `web (2)`, `web (ended)`.
 */
export interface TabDescription {
  direction?: 'both' | 'egress' | 'ingress';
  /** The BPF capture filter, when one was given. */
  filter?: string;
}

const MAX_FILTER_CHARS = 40;

export function describeTab(base: string, description: TabDescription | undefined): string {
  const parts: string[] = [];
  if (description?.direction && description.direction !== 'both') parts.push(description.direction);
  const filter = description?.filter?.trim();
  if (filter) parts.push(filter.length > MAX_FILTER_CHARS ? `${filter.slice(0, MAX_FILTER_CHARS - 1)}…` : filter);
  return parts.length > 0 ? `${base} (${parts.join(', ')})` : base;
}

/** `described` numbered among the others open (`taken`): the first stays plain, then (2), (3)... */
export function numberedTitle(described: string, taken: ReadonlySet<string>): string {
  if (!taken.has(described)) return described;
  for (let n = 2; ; n++) {
    const candidate = `${described} (${n})`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Live and ended captures look different in the tab strip. */
export function stateSuffix(state: string): string {
  return state === 'ended' || state === 'error' ? ' (ended)' : '';
}
