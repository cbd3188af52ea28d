/**
 * Does an earlier route make a later one unreachable? True when route A matches every
 * request route B matches: A's path pattern covers B's, and A's predicates are the same or
 * broader (no predicate at all is broadest). Used by the config checker; conservative: it
 * says "covered" only when that is certain, so it never rejects a reachable route.
 */
import type { RouteConfig } from '../config/schema.js'
import type { PathPattern, PathSegment } from './path.js'
import { normalizeHost } from './predicates.js'

/** One fixed segment of `a` (never a wildcard: callers handle that) accepts whatever `b`'s does. */
function segmentCovers (a: PathSegment, b: PathSegment): boolean {
  if (a.kind === 'static') return b.kind === 'static' && a.value === b.value
  return b.kind === 'param' || (b.kind === 'static' && b.value !== '')
}

/** Every path matched by `b` is matched by `a`. */
export function patternCovers (a: PathPattern, b: PathPattern): boolean {
  const as = a.segments
  const bs = b.segments
  if (a.kind === 'prefix') {
    // b's first |a| segments must be fixed and equal; anything after is inside the prefix
    if (bs.length < as.length) return false
    return as.every((s, i) => segmentCovers(s, bs[i]))
  }
  const k = as.length - 1
  if (k >= 0 && as[k].kind === 'wildcard') {
    // a matches paths of more than k segments whose first k it accepts; b's shortest path
    // (a prefix matches its own length, at least `/`; a template exactly its length) must be longer
    const shortest = b.kind === 'prefix' ? Math.max(bs.length, 1) : bs.length
    if (shortest <= k) return false
    for (let i = 0; i < k; i++) if (!segmentCovers(as[i], bs[i])) return false
    return true
  }
  // a plain template matches one path length only; b must be a plain template of that length
  if (b.kind === 'prefix' || bs.length !== as.length) return false
  return as.every((s, i) => segmentCovers(s, bs[i]))
}

/** The value a route's `match.headers` predicate wants for `name` (config keys are in any case). */
function predicateHeader (headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v
  return undefined
}

/** A's method/header/host predicates accept every request B's accept. */
export function predicatesCover (a: RouteConfig['match'], b: RouteConfig['match']): boolean {
  if (a.methods && !(b.methods && b.methods.every((m) => a.methods!.includes(m)))) return false
  if (a.headers) {
    for (const [name, want] of Object.entries(a.headers)) {
      const have = predicateHeader(b.headers, name.toLowerCase())
      if (have === undefined || (want !== '*' && (have === '*' || have !== want))) return false
    }
  }
  if (a.host !== undefined) {
    if (b.host === undefined) return false
    const ah = normalizeHost(a.host)
    const bh = normalizeHost(b.host)
    if (ah !== bh && !(ah.startsWith('*.') && !bh.startsWith('*.') && bh.endsWith(ah.slice(1)))) return false
  }
  return true
}
