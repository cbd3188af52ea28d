/**
 * One undici Pool per upstream and purpose. Client-serving traffic and shadow traffic never
 * share a pool: a slow candidate can exhaust only its own connections, never the primary's.
 * Pools survive a config reload when their settings are unchanged (warm keep-alive sockets);
 * replaced pools are closed gracefully (queued requests finish first).
 */
import { Pool } from 'undici'
import type { UpstreamConfig } from '../config/schema.js'

export interface Upstream {
  readonly name: string
  readonly pool: Pool
  /** `http://host:port`, for logs. */
  readonly origin: string
  /** Path prefix from the configured URL ('' when none), prepended to every request path. */
  readonly basePath: string
  /** Value of the Host header sent upstream (unless a route preserves the client's). */
  readonly hostHeader: string
  readonly timeout: number
  /** Settings this pool was built from, to decide reuse on reload. */
  readonly key: string
}

export interface PoolOverrides {
  connections?: number
  /** Time to response headers and between body chunks; defaults to the upstream's timeout. */
  timeout?: number
}

function upstreamKey (cfg: UpstreamConfig, overrides: PoolOverrides): string {
  return JSON.stringify([cfg, overrides])
}

export function createUpstream (name: string, cfg: UpstreamConfig, overrides: PoolOverrides = {}): Upstream {
  const url = new URL(cfg.url)
  const timeout = overrides.timeout ?? cfg.timeout
  const connections = overrides.connections ?? cfg.connections
  const pool = new Pool(url.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: cfg.keepAliveTimeout,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connect: { timeout: cfg.connectTimeout },
  })
  // A pool's 'connectionError' is also delivered to the request's handler; this listener
  // only keeps an unhandled 'error'-style event from ever reaching the process.
  pool.on('connectionError', () => {})
  return {
    name,
    pool,
    origin: url.origin,
    basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
    hostHeader: url.host,
    timeout,
    key: upstreamKey(cfg, overrides),
  }
}

/**
 * A set of upstreams built for one config. `rebuild` reuses identical pools from the previous
 * set and returns the ones that are no longer used, for the caller to retire.
 */
export class UpstreamSet {
  readonly byName: ReadonlyMap<string, Upstream>

  constructor (byName: Map<string, Upstream>) {
    this.byName = byName
  }

  static build (
    upstreams: Record<string, UpstreamConfig>, previous?: UpstreamSet, overrides: PoolOverrides = {},
  ): { set: UpstreamSet, retired: Upstream[] } {
    const next = new Map<string, Upstream>()
    for (const [name, cfg] of Object.entries(upstreams)) {
      const old = previous?.byName.get(name)
      next.set(name, old && old.key === upstreamKey(cfg, overrides) ? old : createUpstream(name, cfg, overrides))
    }
    const retired: Upstream[] = []
    for (const [name, old] of previous?.byName ?? []) {
      if (next.get(name) !== old) retired.push(old)
    }
    return { set: new UpstreamSet(next), retired }
  }

  get (name: string): Upstream {
    const u = this.byName.get(name)
    if (!u) throw new Error(`unknown upstream ${name}`)
    return u
  }

  /** Graceful close of every pool (in-flight requests finish). */
  async close (): Promise<void> {
    await Promise.allSettled([...this.byName.values()].map((u) => u.pool.close()))
  }

  async destroy (): Promise<void> {
    await Promise.allSettled([...this.byName.values()].map((u) => u.pool.destroy()))
  }
}

/** Close retired pools after in-flight requests on them finish. */
export function retire (upstreams: readonly Upstream[]): void {
  for (const u of upstreams) void u.pool.close().catch(() => {})
}
