/** One message of the API, located by its topic. */
export interface ApiTopic {
  readonly moduleId: string;
  readonly direction: 'm2e' | 'e2m';
  readonly kind: string;
}

/** Split `<prefix>/<module_id>/<m2e|e2m>/<kind>`; undefined for anything else. */
export function parseApiTopic(prefix: string, topic: string): ApiTopic | undefined {
  const p = prefix.replace(/\/+$/, '');
  if (!topic.startsWith(`${p}/`)) return undefined;
  const rest = topic.slice(p.length + 1).split('/');
  if (rest.length !== 3) return undefined;
  const [moduleId, direction, kind] = rest;
  if (!moduleId || !kind || (direction !== 'm2e' && direction !== 'e2m')) return undefined;
  return { moduleId, direction, kind };
}

/** The topic of `kind` for a module. */
export function apiTopic(prefix: string, moduleId: string, direction: 'm2e' | 'e2m', kind: string): string {
  return `${prefix.replace(/\/+$/, '')}/${moduleId}/${direction}/${kind}`;
}
