/**
 * Redaction of secrets before anything leaves the process (diff events, samples, logs,
 * captures). Two halves:
 *  - headers: `authorization`, `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key`
 *    plus configured names, matched case-insensitively; the value becomes `"[redacted]"`.
 *  - JSON bodies: a JSONPath subset — `$.a.b`, `$..key`, `$.items[*].x`, `$.a[0]`,
 *    `$.a['odd key']`, `$.*` — whose matched values become `"[redacted]"`.
 * Both return copies; the input is never mutated (the proxy may still be using it).
 * A route's `compare.redact` list mixes both kinds: entries starting with `$` are JSONPaths,
 * the rest header names (`splitRedactList`).
 */
import type { FieldDiff } from '../compare/types.js'
import type { HeaderMap } from '../shadow/exchange.js'
import { ShadowfigError } from '../errors.js'

export const REDACTED = '[redacted]'

/** Always redacted, whatever the config says (SPEC: never in any event, sample or log). */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = [
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key',
]

const DEFAULT_SET = new Set(DEFAULT_REDACTED_HEADERS)

export function redactHeaders (headers: HeaderMap, extra: readonly string[] = []): HeaderMap {
  const names = extra.length === 0 ? DEFAULT_SET : new Set([...DEFAULT_REDACTED_HEADERS, ...extra.map((n) => n.toLowerCase())])
  const out: HeaderMap = {}
  for (const [name, value] of Object.entries(headers)) {
    out[name] = names.has(name.toLowerCase()) ? REDACTED : value
  }
  return out
}

/** Splits a route's `compare.redact` list into JSONPaths and header names. */
export function splitRedactList (list: readonly string[]): { paths: string[], headers: string[] } {
  const paths: string[] = []
  const headers: string[] = []
  for (const entry of list) (entry.startsWith('$') ? paths : headers).push(entry)
  return { paths, headers }
}

export type PathSegment =
  | { kind: 'key', name: string }
  | { kind: 'index', index: number }
  | { kind: 'wild' }
  /** `..name`: `name` at any depth below the current node (including the node itself). */
  | { kind: 'deep', name: string }

/** Compiled paths; bounded because concrete paths of diffs (`$.items[812].x`) pass here too. */
const compiled = new Map<string, PathSegment[]>()
const COMPILED_MAX = 4096

/** Parses a JSONPath of the supported subset; throws SHADOWFIG_ERR_CONFIG on anything else. */
export function compileJsonPath (path: string): PathSegment[] {
  const cached = compiled.get(path)
  if (cached) return cached
  const segs = parse(path)
  if (compiled.size >= COMPILED_MAX) compiled.clear()
  compiled.set(path, segs)
  return segs
}

const IDENT = /^[^.[\]\s]+/

function parse (path: string): PathSegment[] {
  const bad = (why: string): never => {
    throw new ShadowfigError('SHADOWFIG_ERR_CONFIG', `unsupported JSONPath ${JSON.stringify(path)}: ${why}`)
  }
  if (!path.startsWith('$')) bad('must start with $')
  const segs: PathSegment[] = []
  let i = 1
  while (i < path.length) {
    const rest = path.slice(i)
    if (rest.startsWith('..')) {
      const m = IDENT.exec(rest.slice(2))
      if (!m || m[0] === '*') bad('.. must be followed by a key name')
      segs.push({ kind: 'deep', name: m![0] })
      i += 2 + m![0].length
    } else if (rest.startsWith('.')) {
      const m = IDENT.exec(rest.slice(1))
      if (!m) bad(`expected a key after "." at ${i}`)
      segs.push(m![0] === '*' ? { kind: 'wild' } : { kind: 'key', name: m![0] })
      i += 1 + m![0].length
    } else if (rest.startsWith('[')) {
      // Quoted keys may escape quotes and backslashes (as compare/ formats odd keys).
      const m = /^\[(?:(\*)|(\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(rest)
      if (!m) bad(`expected [*], [N] or ['key'] at ${i}`)
      if (m![1]) segs.push({ kind: 'wild' })
      else if (m![2] !== undefined) segs.push({ kind: 'index', index: Number(m![2]) })
      else segs.push({ kind: 'key', name: (m![3] ?? m![4]).replace(/\\(.)/g, '$1') })
      i += m![0].length
    } else {
      bad(`unexpected character at ${i}`)
    }
  }
  if (segs.length === 0) bad('redacting the whole document is not supported')
  return segs
}

type Container = Record<string, unknown> | unknown[]

function isContainer (v: unknown): v is Container {
  return typeof v === 'object' && v !== null
}

/** Redacted deep copy of `value`; `value` itself is left untouched. */
export function redactJson (value: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0 || !isContainer(value)) return value
  const copy = structuredClone(value)
  redactInPlace(copy, paths)
  return copy
}

function redactInPlace (doc: Container, paths: readonly string[]): void {
  for (const p of paths) apply(doc, compileJsonPath(p), 0)
}

function apply (node: unknown, segs: PathSegment[], i: number): void {
  if (!isContainer(node)) return
  const seg = segs[i]
  const last = i === segs.length - 1
  const step = (key: string | number): void => {
    const holder = node as Record<string | number, unknown>
    if (last) holder[key] = REDACTED
    else apply(holder[key], segs, i + 1)
  }
  switch (seg.kind) {
    case 'key':
      if (!Array.isArray(node) && Object.hasOwn(node, seg.name)) step(seg.name)
      break
    case 'index':
      if (Array.isArray(node) && seg.index < node.length) step(seg.index)
      break
    case 'wild':
      for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) step(key)
      break
    case 'deep':
      // Match here first, then look in every child (the matched value included: a nested
      // object under the same key may hold the key again, and redacting it is harmless).
      if (!Array.isArray(node) && Object.hasOwn(node, seg.name)) step(seg.name)
      for (const child of Array.isArray(node) ? node : Object.values(node)) apply(child, segs, i)
      break
  }
}

/**
 * Field diffs with redacted values: `header:NAME` fields when NAME is a secret header, JSON
 * fields when their concrete path is, or lies under, or contains a redacted path (a value
 * that is itself an object is redacted inside). A path we cannot place is redacted whole.
 */
export function redactFields (fields: readonly FieldDiff[], paths: readonly string[], headers: readonly string[] = []): FieldDiff[] {
  const secret = new Set([...DEFAULT_REDACTED_HEADERS, ...headers.map((h) => h.toLowerCase())])
  return fields.map((f) => {
    let redact: (v: unknown) => unknown
    if (f.path.startsWith('header:')) {
      if (!secret.has(f.path.slice(7).toLowerCase())) return f
      redact = () => REDACTED
    } else if (f.concretePath.startsWith('$') && paths.length > 0) {
      redact = (v) => redactAt(f.concretePath, v, paths)
    } else {
      return f
    }
    const out: FieldDiff = { ...f }
    if ('primary' in f) out.primary = redact(f.primary)
    if ('candidate' in f) out.candidate = redact(f.candidate)
    return out
  })
}

/** Places `value` at `concrete` in an otherwise empty document, redacts it, reads it back. */
function redactAt (concrete: string, value: unknown, paths: readonly string[]): unknown {
  if (concrete === '$') return redactJson(value, paths)
  let segs: PathSegment[]
  try { segs = compileJsonPath(concrete) } catch { return REDACTED }
  const keys: Array<string | number> = []
  for (const s of segs) {
    if (s.kind === 'key') keys.push(s.name)
    else if (s.kind === 'index') keys.push(s.index)
    else if (s.kind === 'wild') keys.push(0)
    else return REDACTED
  }
  const make = (k: string | number): Container => typeof k === 'number' ? [] : {}
  const doc = make(keys[0])
  let node = doc as Record<string | number, unknown>
  for (let i = 0; i < keys.length - 1; i++) node = (node[keys[i]] = make(keys[i + 1])) as Record<string | number, unknown>
  // The wrapper is ours: only an object value needs copying before redacting in place.
  node[keys[keys.length - 1]] = isContainer(value) ? structuredClone(value) : value
  redactInPlace(doc, paths)
  return node[keys[keys.length - 1]]
}
