/**
 * Redaction of secrets before anything leaves the process (diff events, samples, logs,
 * captures, the comparison worker's results and the view custom comparators get). Three parts:
 *  - headers: `authorization`, `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key`
 *    plus configured names, matched case-insensitively; the value becomes `"[redacted]"`.
 *  - query parameters of request targets, and of the URLs in URL-valued headers (`referer`,
 *    `location`, `content-location`): DEFAULT_REDACTED_QUERY plus configured names, matched
 *    case-insensitively (after percent-decoding); the value becomes `[redacted]`.
 *  - JSON bodies: the JSONPath subset of src/compare/jsonpath.ts (`$.a.b`, `$..key`,
 *    `$.items[*].x`, `$.a[0]`, `$.a['odd key']`, `$.*`); matched values become `"[redacted]"`.
 *  - text (raw bodies): occurrences of the secret header values become `[redacted]` (`scrubText`).
 * All return copies; the input is never mutated (the proxy may still be using it).
 * A route's `compare.redact` list mixes the kinds: entries starting with `$` are JSONPaths,
 * `query:NAME` a query parameter, the rest header names (`redactionOf`).
 */
import type { FieldDiff } from '../compare/types.js'
import type { HeaderMap } from '../http/headers.js'
import { anyMatches, compilePath, parseLocation, type PathMatcher, type Segment } from '../compare/jsonpath.js'

export const REDACTED = '[redacted]'

/**
 * Always redacted, whatever the config says: the credentials HTTP defines (RFC 9110 §11.6.2,
 * §11.7.2; RFC 6265 cookies) and the common `x-api-key` convention.
 */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = [
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key',
]

const DEFAULT_SET: ReadonlySet<string> = new Set(DEFAULT_REDACTED_HEADERS)

/** Lower-case names of the headers whose values are hidden: the defaults plus `extra` (any case). */
export function secretHeaderNames (extra: readonly string[] = []): ReadonlySet<string> {
  return extra.length === 0 ? DEFAULT_SET : new Set([...DEFAULT_REDACTED_HEADERS, ...extra.map((n) => n.toLowerCase())])
}

/**
 * Query parameters always redacted in request targets: credentials that APIs commonly accept
 * in the URL (OAuth 2 tokens and authorization codes, RFC 6749/6750; API keys; signed-URL
 * signatures and credentials of S3 and GCS; session ids). Matched case-insensitively.
 */
export const DEFAULT_REDACTED_QUERY: readonly string[] = [
  'access_token', 'api_key', 'apikey', 'auth', 'client_secret', 'code', 'id_token', 'key',
  'passwd', 'password', 'refresh_token', 'secret', 'session', 'sessionid', 'sig', 'signature',
  'token', 'x-amz-credential', 'x-amz-security-token', 'x-amz-signature', 'x-goog-credential',
  'x-goog-signature',
]

const DEFAULT_QUERY_SET: ReadonlySet<string> = new Set(DEFAULT_REDACTED_QUERY)

/** The `compare.redact` prefix of a query parameter name. */
export const QUERY_PREFIX = 'query:'

/** A route's `compare.redact` list, split: its JSONPaths, and every header and query parameter name to hide (defaults included). */
export interface Redaction {
  readonly paths: readonly string[]
  readonly headers: ReadonlySet<string>
  /** Lower-case query parameter names. */
  readonly query: ReadonlySet<string>
}

export function redactionOf (list: readonly string[]): Redaction {
  const paths: string[] = []
  const headers: string[] = []
  const query: string[] = []
  for (const entry of list) {
    if (entry.startsWith('$')) paths.push(entry)
    else if (entry.toLowerCase().startsWith(QUERY_PREFIX)) query.push(entry.slice(QUERY_PREFIX.length).toLowerCase())
    else headers.push(entry)
  }
  return { paths, headers: secretHeaderNames(headers), query: query.length === 0 ? DEFAULT_QUERY_SET : new Set([...DEFAULT_REDACTED_QUERY, ...query]) }
}

function decodedName (raw: string): string {
  try { return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase() } catch { return raw.toLowerCase() }
}

/**
 * A request target (`/path?a=1&token=x`) with the values of secret query parameters replaced
 * by `[redacted]`; everything else (order, separators, encoding) kept as it was. A name that
 * appears without `=` has no value to hide.
 */
export function redactTarget (target: string, secret: ReadonlySet<string> = DEFAULT_QUERY_SET): string {
  const q = target.indexOf('?')
  if (q < 0) return target
  let changed = false
  const parts = target.slice(q + 1).split('&').map((part) => {
    const eq = part.indexOf('=')
    if (eq < 0 || !secret.has(decodedName(part.slice(0, eq)))) return part
    changed = true
    return `${part.slice(0, eq + 1)}${REDACTED}`
  })
  return changed ? `${target.slice(0, q + 1)}${parts.join('&')}` : target
}

/**
 * Headers whose value is a URL (RFC 9110 §10.1.3 Referer, §10.2.2 Location, §8.7
 * Content-Location): a credential in its query (a signed download link, a page visited with
 * `?token=`) is as secret there as in the request target.
 */
const URL_HEADERS: ReadonlySet<string> = new Set(['referer', 'location', 'content-location'])

/** A URL (absolute or a reference) with its secret query parameters redacted; the fragment kept. */
export function redactUrl (url: string, secret: ReadonlySet<string> = DEFAULT_QUERY_SET): string {
  const hash = url.indexOf('#')
  if (hash < 0) return redactTarget(url, secret)
  const head = url.slice(0, hash)
  const redacted = redactTarget(head, secret)
  return redacted === head ? url : redacted + url.slice(hash)
}

/** One header's value as it may leave the process: `name` is lower-case. */
function redactHeaderValue<V extends string | string[]> (name: string, value: V, secret: ReadonlySet<string>, query: ReadonlySet<string>): V | typeof REDACTED {
  if (secret.has(name)) return REDACTED
  if (!URL_HEADERS.has(name)) return value
  return (Array.isArray(value) ? value.map((v) => redactUrl(v, query)) : redactUrl(value, query)) as V
}

/**
 * `secret`: lower-case header names, from `secretHeaderNames` or a `Redaction`; `query`:
 * lower-case query parameter names, redacted in URL-valued headers.
 */
export function redactHeaders (headers: HeaderMap, secret: ReadonlySet<string> = DEFAULT_SET, query: ReadonlySet<string> = DEFAULT_QUERY_SET): HeaderMap {
  const out: HeaderMap = {}
  for (const [name, value] of Object.entries(headers)) out[name] = redactHeaderValue(name.toLowerCase(), value, secret, query)
  return out
}

/** Compiled matchers, bounded: concrete paths of diffs (`$.items[812].x`) may pass here too. */
const compiled = new Map<string, PathMatcher>()
const COMPILED_MAX = 4096

/**
 * Compiles redact JSONPaths with the same grammar as `ignore:` (src/compare/jsonpath.ts), so a
 * path that works in one list works in the other. Throws its ExpressionError on bad syntax.
 */
export function compileRedactPaths (paths: readonly string[]): PathMatcher[] {
  return paths.map((path) => {
    let m = compiled.get(path)
    if (m === undefined) {
      m = compilePath(path)
      if (compiled.size >= COMPILED_MAX) compiled.clear()
      compiled.set(path, m)
    }
    return m
  })
}

type Container = Record<string, unknown> | unknown[]

function isContainer (v: unknown): v is Container {
  return typeof v === 'object' && v !== null
}

/** Redacted copy of `value` (copied only where something changed); `value` is untouched. */
export function redactJson (value: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0) return value
  return walk(value, [], compileRedactPaths(paths))
}

/** `node` found at `loc`: REDACTED when a path names `loc`, else a copy with its secrets redacted. */
function walk (node: unknown, loc: Segment[], matchers: readonly PathMatcher[]): unknown {
  // The root too: `redact: [$]` hides a whole body.
  if (anyMatches(matchers, loc)) return REDACTED
  if (!isContainer(node)) return node
  let copy: Container | undefined
  const keys: Array<string | number> = Array.isArray(node) ? [...node.keys()] : Object.keys(node)
  for (const key of keys) {
    const child = (node as Record<string | number, unknown>)[key]
    loc.push(key)
    const next = walk(child, loc, matchers)
    loc.pop()
    if (next !== child) {
      copy ??= Array.isArray(node) ? [...node] : { ...node }
      ;(copy as Record<string | number, unknown>)[key] = next
    }
  }
  return copy ?? node
}

/**
 * Field diffs with redacted values: `header:NAME` fields as `redactHeaders` treats NAME (a
 * secret header whole, a URL-valued one in its query), JSON fields when their concrete path
 * is, or lies under, or contains a redacted path (a value that is itself an object is
 * redacted inside). A path we cannot place is redacted whole. With `secrets` (from
 * `secretHeaderValues`), any value left then has those scrubbed out (`scrubValues`).
 */
export function redactFields<F extends FieldDiff> (fields: readonly F[], red: Redaction, secrets: readonly string[] = []): F[] {
  const byRule = redactFieldsByRule(fields, red)
  if (secrets.length === 0) return byRule
  return byRule.map((f) => {
    const out: F = { ...f }
    if ('primary' in f) out.primary = scrubValues(f.primary, secrets)
    if ('candidate' in f) out.candidate = scrubValues(f.candidate, secrets)
    return out.primary === f.primary && out.candidate === f.candidate ? f : out
  })
}

function redactFieldsByRule<F extends FieldDiff> (fields: readonly F[], { paths, headers, query }: Redaction): F[] {
  return fields.map((f) => {
    let redact: (v: unknown) => unknown
    if (f.path.startsWith('header:')) {
      const name = f.path.slice(7).toLowerCase()
      if (!headers.has(name) && !URL_HEADERS.has(name)) return f
      redact = (v) => typeof v === 'string' || Array.isArray(v) ? redactHeaderValue(name, v as string | string[], headers, query) : v
    } else if (f.concretePath.startsWith('$') && paths.length > 0) {
      redact = (v) => redactAt(f.concretePath, v, paths)
    } else {
      return f
    }
    const out: F = { ...f }
    if ('primary' in f) out.primary = redact(f.primary)
    if ('candidate' in f) out.candidate = redact(f.candidate)
    return out
  })
}

/** `value` found at the concrete location `concrete`, redacted as if it sat in the document. */
function redactAt (concrete: string, value: unknown, paths: readonly string[]): unknown {
  const loc = parseLocation(concrete)
  if (loc === undefined) return REDACTED // a location we cannot place is hidden whole
  const matchers = compileRedactPaths(paths)
  // Under a redacted path (a prefix matches, the root included): the whole value is secret.
  for (let i = 0; i < loc.length; i++) if (anyMatches(matchers, loc.slice(0, i))) return REDACTED
  return walk(value, loc, matchers)
}

/** Shorter parts of a secret value are not looked for in text: they would blank common words. */
const MIN_SECRET_PART = 4

/**
 * The values of the secret headers among `maps`, for `scrubText`: each whole value, and the
 * parts an echo may show alone (the credential after an auth scheme, each cookie's value).
 */
export function secretHeaderValues (maps: readonly HeaderMap[], secret: ReadonlySet<string> = DEFAULT_SET): string[] {
  const out = new Set<string>()
  for (const headers of maps) {
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase()
      if (!secret.has(lower)) continue
      for (const v of Array.isArray(value) ? value : [value]) {
        // `cookie` holds pairs; `set-cookie` one pair, then attributes (`Path=/`) that are no secret.
        const pairs = lower === 'cookie' || lower === 'set-cookie'
          ? v.split(';').slice(0, lower === 'cookie' ? undefined : 1).filter((c) => c.includes('=')).map((c) => c.slice(c.indexOf('=') + 1))
          : [v.slice(v.indexOf(' ') + 1)]
        const parts = [v, ...pairs]
        for (const p of parts) if (p.trim().length >= MIN_SECRET_PART) out.add(p.trim())
      }
    }
  }
  // Longest first: a whole value is replaced before its parts.
  return [...out].sort((a, b) => b.length - a.length)
}

/**
 * Text that leaves without a JSON structure to redact by path (a raw body): every occurrence of
 * a secret header value (`secretHeaderValues`) becomes `[redacted]`, so a service that echoes
 * the request's credentials cannot carry them out in its body.
 */
export function scrubText (text: string, values: readonly string[]): string {
  let out = text
  for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED)
  return out
}

/**
 * `scrubText` on every string inside `value` (a JSON value, a header map, a field's side):
 * a service that echoes the request's credentials into a JSON field, or a header the route
 * does not name as secret, must not carry them out either. A copy where something changed;
 * `value` itself when nothing did (or there is no secret to look for).
 */
export function scrubValues (value: unknown, values: readonly string[]): unknown {
  if (values.length === 0) return value
  if (typeof value === 'string') return scrubText(value, values)
  if (!isContainer(value)) return value
  let copy: Container | undefined
  const keys: Array<string | number> = Array.isArray(value) ? [...value.keys()] : Object.keys(value)
  for (const key of keys) {
    const child = (value as Record<string | number, unknown>)[key]
    const next = scrubValues(child, values)
    if (next !== child) {
      copy ??= Array.isArray(value) ? [...value] : { ...value }
      ;(copy as Record<string | number, unknown>)[key] = next
    }
  }
  return copy ?? value
}
