/** Hand-built exchanges and comparison results, shaped as the proxy and compare engine make them. */
import type { ComparisonResult, FieldDiff, Verdict } from '../../src/compare/types.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import type { RouteConfig } from '../../src/config/schema.js'

let seq = 0

export function exchange (route: string, over: Partial<Exchange> = {}): Exchange {
  const id = over.id ?? `ex-${++seq}`
  const side = (status: number, ms: number) => ({ status, headers: { 'content-type': 'application/json' }, body: new Uint8Array(), truncated: false, durationMs: ms })
  return {
    id,
    route,
    startedAt: Date.now(),
    request: { method: 'GET', path: `/api/v1/orders/${seq}`, headers: { authorization: 'Bearer top-secret', cookie: 'sid=top-secret', accept: 'application/json' } },
    primary: side(200, 12.1),
    candidate: side(200, 8.4),
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    ...over,
  }
}

export function result (ex: Exchange, verdict: Verdict, fields: FieldDiff[] = [], over: Partial<ComparisonResult> = {}): ComparisonResult {
  return {
    id: ex.id,
    route: ex.route,
    verdict,
    fields,
    noise: [],
    signature: verdict === 'match' || fields.length === 0 ? '' : 'sig-' + fields.map((f) => f.path).sort().join('|'),
    status: { primary: ex.primary.status, candidate: ex.candidate.status },
    durationMs: { primary: ex.primary.durationMs, candidate: ex.candidate.durationMs },
    ...over,
  }
}

export function changed (path: string, primary: unknown, candidate: unknown, concretePath = path): FieldDiff {
  return { path, concretePath, kind: 'changed', primary, candidate }
}

/** A minimal parsed route config, as the config loader would produce it. */
export function route (name: string, redact: string[] = []): RouteConfig {
  return {
    name,
    match: { pathPrefix: '/' },
    primary: 'monolith',
    preserveHost: false,
    compare: { ignore: [], arrays: {}, masks: [], headers: {}, comparators: ['status', 'headers', 'json'], redact, maxBodySize: 1024 * 1024 },
  }
}
