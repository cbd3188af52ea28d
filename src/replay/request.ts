/**
 * From a capture record and its route, the requests replay sends: the primary's as the client
 * sent it, the candidate's (and secondary's) with the route's `shadow.rewrite` applied and the
 * mirror headers (`x-shadowfig-role`, `x-shadowfig-request-id`; docs/config.md, "shadow").
 *
 * Headers a capture cannot replay are dropped: hop-by-hop ones (RFC 9110 §7.6.1), `host` and
 * `content-length` (the client library sets both), and every header whose value was redacted
 * at capture time: sending the literal `[redacted]` as a credential would only produce 401s
 * that look like regressions. `--header` values from the command line are added last.
 */
import type { RewriteConfig } from '../config/schema.js'
import { REDACTED } from '../logging/redact.js'
import { HOP_BY_HOP, type HeaderMap } from '../http/headers.js'
import type { CaptureRecord } from '../record/format.js'
import type { OutgoingRequest } from './send.js'

/** Besides the hop-by-hop fields: `trailer` (the body goes out whole, with no trailers) and what the client library sets. */
const NOT_REPLAYED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'trailer', 'host', 'content-length', 'expect'])

export function replayHeaders (recorded: HeaderMap, extra: HeaderMap = {}): HeaderMap {
  const connectionListed = new Set(String(recorded.connection ?? '').toLowerCase().split(',').map((s) => s.trim()))
  const out: HeaderMap = {}
  for (const [name, value] of Object.entries(recorded)) {
    const lower = name.toLowerCase()
    if (NOT_REPLAYED.has(lower) || connectionListed.has(lower)) continue
    if (value === REDACTED || (Array.isArray(value) && value.includes(REDACTED))) continue
    out[lower] = value
  }
  for (const [name, value] of Object.entries(extra)) out[name.toLowerCase()] = value
  return out
}

/** The route's rewrite applied to a mirrored request (path regex on the path part only). */
export function applyRewrite (req: OutgoingRequest, rewrite: RewriteConfig | undefined): OutgoingRequest {
  if (!rewrite) return req
  let path = req.path
  if (rewrite.path) {
    const q = path.indexOf('?')
    const [p, query] = q === -1 ? [path, ''] : [path.slice(0, q), path.slice(q)]
    path = p.replace(new RegExp(rewrite.path.from), rewrite.path.to) + query
  }
  const headers: HeaderMap = { ...req.headers }
  for (const name of rewrite.headers?.remove ?? []) delete headers[name.toLowerCase()]
  for (const [name, value] of Object.entries(rewrite.headers?.set ?? {})) headers[name.toLowerCase()] = value
  if (rewrite.host) headers.host = rewrite.host
  return { ...req, path, headers }
}

export interface ReplayRequests {
  primary: OutgoingRequest
  candidate: OutgoingRequest
  secondary?: OutgoingRequest
}

export function buildRequests (record: CaptureRecord, rewrite: RewriteConfig | undefined, withSecondary: boolean, extra?: HeaderMap): ReplayRequests {
  const body = record.request.bodyBase64 !== undefined ? Buffer.from(record.request.bodyBase64, 'base64') : undefined
  const base: OutgoingRequest = {
    method: record.request.method,
    path: record.request.path,
    headers: replayHeaders(record.request.headers, extra),
    ...(body ? { body } : {}),
  }
  const mirror = (role: 'candidate' | 'secondary'): OutgoingRequest => {
    const r = applyRewrite(base, rewrite)
    return { ...r, headers: { ...r.headers, 'x-shadowfig-role': role, 'x-shadowfig-request-id': record.id } }
  }
  return {
    primary: base,
    candidate: mirror('candidate'),
    ...(withSecondary ? { secondary: mirror('secondary') } : {}),
  }
}
