/**
 * What the bench writes for its peers (pure): the shadowfig config of a scenario, the
 * equivalent nginx.conf with the `mirror` module, and the parse of the proxy's /metrics
 * counters. A test validates the shadowfig config against the real config schema.
 */

/**
 * Which candidate a scenario mirrors to: none, healthy (differs only where the config
 * normalizes), same (the primary backend itself: the very bytes, as a faithful port answers),
 * slow (2 s) or down (refused).
 */
export type ShadowMode = 'none' | 'healthy' | 'same' | 'slow' | 'down'

export interface Upstreams {
  primary: number
  candidate: number
  slow: number
  down: number
}

const candidatePort = (shadow: ShadowMode, u: Upstreams): number => ({ healthy: u.candidate, same: u.primary, slow: u.slow, down: u.down, none: 0 })[shadow]

/**
 * A route on `pathPrefix` served by upstream `primary` and mirrored to every request to
 * `candidate`, compared with the normalizations the candidate variant's differences need
 * (see backends.ts).
 */
export function mirroredRoute (name: string, pathPrefix: string, primary: string, candidate: string, o: { comparators?: string[], dispatch?: 'parallel' | 'after-primary' } = {}): Record<string, unknown> {
  return {
    name,
    match: { pathPrefix },
    primary,
    shadow: { candidate, sample: '100%', maxBodySize: '2MiB', ...(o.dispatch ? { dispatch: o.dispatch } : {}) },
    compare: { ignore: ['$.generated_at'], numbers: { precision: 2 }, arrays: { '$.items': { key: 'id' } }, maxBodySize: '2MiB', ...(o.comparators ? { comparators: o.comparators } : {}) },
  }
}

/** The one-route config a scenario runs: everything to the primary, mirrored per `shadow`. */
export function shadowfigConfig (o: { shadow: ShadowMode, upstreams: Upstreams, comparators?: string[], dispatch?: 'parallel' | 'after-primary' }, port: number, adminPort: number, diffsFile: string): object {
  const cand = candidatePort(o.shadow, o.upstreams)
  const route = o.shadow === 'none'
    ? { name: 'bench', match: { pathPrefix: '/' }, primary: 'primary' }
    : mirroredRoute('bench', '/', 'primary', 'candidate', o)
  return {
    listen: { host: '127.0.0.1', port },
    admin: { host: '127.0.0.1', port: adminPort },
    logging: { level: 'warn', diffs: diffsFile },
    upstreams: {
      primary: { url: `http://127.0.0.1:${o.upstreams.primary}`, connections: 128 },
      ...(o.shadow === 'none' ? {} : { candidate: { url: `http://127.0.0.1:${cand}`, connections: 128 } }),
    },
    routes: [route],
  }
}

/** Sums Prometheus samples into `metric{label=value}` keys for the labels we report on. */
export function parseCounters (text: string): Record<string, number> {
  const out: Record<string, number> = {}
  const re = /^shadowfig_(mirror_total|comparisons_total)\{([^}]*)\} (\S+)$/gm
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const label = /(?:outcome|verdict)="([^"]*)"/.exec(m[2] as string)
    const key = `${m[1]}.${label ? label[1] : ''}`
    out[key] = (out[key] ?? 0) + Number(m[3])
  }
  return out
}

export function nginxConfig (dir: string, port: number, shadow: ShadowMode, u: Upstreams): string {
  const cand = candidatePort(shadow, u)
  const keepalive = 'proxy_http_version 1.1;\n      proxy_set_header Connection "";'
  const mirror = shadow === 'none'
    ? ''
    : `mirror /mirror;\n      mirror_request_body off;`
  const mirrorLocation = shadow === 'none'
    ? ''
    : `location = /mirror {
      internal;
      ${keepalive}
      proxy_read_timeout 5s;
      proxy_pass http://candidate$request_uri;
    }`
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream primary { server 127.0.0.1:${u.primary}; keepalive 128; }
  ${shadow === 'none' ? '' : `upstream candidate { server 127.0.0.1:${cand}; keepalive 128; }`}
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      ${mirror}
      ${keepalive}
      proxy_pass http://primary;
    }
    ${mirrorLocation}
  }
}
`
}
