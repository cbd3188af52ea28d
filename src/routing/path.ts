/**
 * Path patterns for route matching, parsed into segments once at config load.
 *
 * - Template (`match.path`): `/orders/:id`, `/static/*`. A `:name` segment matches one
 *   non-empty segment; `*` (whole last segment only) matches one or more remaining segments,
 *   including a single empty one (`/static/*` matches `/static/` but not `/static`).
 *   A trailing slash is significant: `/orders/` and `/orders` are different templates.
 * - Prefix (`match.pathPrefix`): matched on segment boundaries, so `/api` matches `/api`,
 *   `/api/` and `/api/x` but never `/apiary` (a plain string prefix would silently capture
 *   unrelated endpoints). Trailing slashes are ignored; `/` matches every path.
 *
 * Matching is on the raw (still percent-encoded) path, so what is matched is what is forwarded.
 */

export type PathSegment =
  | { kind: 'static', value: string }
  | { kind: 'param', name: string }
  | { kind: 'wildcard' }

export interface PathPattern {
  kind: 'template' | 'prefix'
  segments: PathSegment[]
}

/** Request path (query already removed) to segments: `/a/b` → [a, b], `/` → [''], `/a/` → [a, '']. */
export function splitPath (path: string): string[] {
  return path.length <= 1 ? [''] : path.slice(1).split('/')
}

/** Index where the query string (or a stray fragment) starts, or the length. */
export function queryStart (target: string): number {
  // two native scans beat one JS loop over the characters
  const q = target.indexOf('?')
  const h = target.indexOf('#')
  if (h === -1) return q === -1 ? target.length : q
  return q === -1 || h < q ? h : q
}

/** Parse a template; returns an error message (for the config loader) instead of throwing. */
export function parseTemplate (template: string): PathPattern | string {
  if (!template.startsWith('/')) return `a path template must start with "/" (found "${template}")`
  const parts = splitPath(template)
  const segments: PathSegment[] = []
  const names = new Set<string>()
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]
    if (p === '*') {
      if (i !== parts.length - 1) return `"*" is only allowed as the whole last segment (found in "${template}"); use :name for one segment`
      segments.push({ kind: 'wildcard' })
    } else if (p.startsWith(':')) {
      const name = p.slice(1)
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `bad parameter "${p}" in "${template}": use :name with letters, digits and _ filling the whole segment`
      if (names.has(name)) return `parameter ":${name}" appears twice in "${template}"`
      names.add(name)
      segments.push({ kind: 'param', name })
    } else if (p.includes('*')) {
      return `"*" must be a whole segment at the end of "${template}" (e.g. /static/*)`
    } else {
      segments.push({ kind: 'static', value: p })
    }
  }
  return { kind: 'template', segments }
}

export function parsePrefix (prefix: string): PathPattern | string {
  if (!prefix.startsWith('/')) return `a path prefix must start with "/" (found "${prefix}")`
  const trimmed = prefix.replace(/\/+$/, '')
  const segments: PathSegment[] = trimmed === '' ? [] : splitPath(trimmed).map((value) => ({ kind: 'static', value }))
  return { kind: 'prefix', segments }
}

function decode (s: string): string {
  if (!s.includes('%')) return s
  try { return decodeURIComponent(s) } catch { return s }
}

/**
 * Params of a template for a path already known to match it (called once per request, for the
 * winning route only; `end` is where the query starts). Values are percent-decoded; `*` gets
 * the rest of the path.
 */
export function extractParams (pattern: PathPattern, path: string, end: number): Record<string, string> {
  const params: Record<string, string> = {}
  let pos = 0 // index of the `/` before the current segment
  for (const seg of pattern.segments) {
    if (seg.kind === 'wildcard') { params['*'] = decode(path.slice(pos + 1, end)); break }
    let next = path.indexOf('/', pos + 1)
    if (next === -1 || next > end) next = end
    if (seg.kind === 'param') params[seg.name] = decode(path.slice(pos + 1, next))
    pos = next
  }
  return params
}
