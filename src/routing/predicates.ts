/**
 * Non-path route predicates (`match.methods`, `match.headers`, `match.host`), compiled once
 * per route into a single function. A route without predicates compiles to `undefined`, so
 * the hot path skips the call entirely.
 *
 * - methods: exact, upper-case (HEAD does not match a GET-only route).
 * - headers: name case-insensitive; value exact, or `"*"` for "present"; for a repeated
 *   header any one value may match.
 * - host: case-insensitive, port ignored; `*.example.com` matches any subdomain (not the apex).
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { RouteConfig } from '../config/schema.js'

export type Predicate = (method: string, host: string | undefined, headers: IncomingHttpHeaders) => boolean

/** `Example.com:8080` → `example.com`, `[::1]:80` → `[::1]`. */
export function normalizeHost (host: string): string {
  let end = host.length
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']')
    if (close !== -1) end = close + 1
  } else {
    const colon = host.indexOf(':')
    if (colon !== -1) end = colon
  }
  let out = host.slice(0, end).toLowerCase()
  if (out.endsWith('.')) out = out.slice(0, -1) // FQDN form `example.com.`
  return out
}

function hostPredicate (pattern: string): (host: string | undefined) => boolean {
  const want = normalizeHost(pattern)
  if (want.startsWith('*.')) {
    const suffix = want.slice(1) // `.example.com`
    return (host) => host !== undefined && normalizeHost(host).endsWith(suffix)
  }
  return (host) => host !== undefined && normalizeHost(host) === want
}

function headerMatches (actual: string | string[] | undefined, want: string): boolean {
  if (actual === undefined) return false
  if (want === '*') return true
  if (typeof actual === 'string') return actual === want
  return actual.includes(want)
}

export function compilePredicate (match: RouteConfig['match']): Predicate | undefined {
  const checks: Predicate[] = []
  if (match.methods) {
    const methods = new Set<string>(match.methods)
    checks.push((method) => methods.has(method))
  }
  if (match.headers) {
    const pairs = Object.entries(match.headers).map(([k, v]) => [k.toLowerCase(), v] as const)
    checks.push((_m, _h, headers) => {
      for (const [name, want] of pairs) if (!headerMatches(headers[name], want)) return false
      return true
    })
  }
  if (match.host !== undefined) {
    const hostOk = hostPredicate(match.host)
    checks.push((_m, host) => hostOk(host))
  }
  if (checks.length === 0) return undefined
  if (checks.length === 1) return checks[0]
  return (method, host, headers) => {
    for (const c of checks) if (!c(method, host, headers)) return false
    return true
  }
}
