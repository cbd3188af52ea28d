/**
 * Sticky cohorts. A cohort key (`header:x-user-id`, `cookie:session`) is read from the request
 * and hashed with the route name into a bucket in [0, 1). Shadow sampling (`bucket < sample`)
 * and live split (`bucket < weight`) use the same bucket, so the users mirrored are the ones
 * a split moves first, and raising a weight only ever moves users primary → candidate.
 *
 * The hash is FNV-1a (32-bit) over the UTF-16 code units of `route + '\0' + key`, finished
 * with murmur3's fmix32 so that near-identical keys (`user-1`, `user-2`) spread across the
 * whole range. It depends on nothing but the input: identical across processes, workers,
 * restarts and Node versions. Changing it reshuffles every cohort in production: don't.
 */
import type { IncomingHttpHeaders } from 'node:http'

export type CohortReader = (headers: IncomingHttpHeaders) => string | undefined

/** Value of cookie `name` in a Cookie header (`a=1; b="2"`), or undefined. No decoding: the raw value is the key. */
export function readCookie (cookie: string, name: string): string | undefined {
  let start = 0
  const len = cookie.length
  while (start < len) {
    let end = cookie.indexOf(';', start)
    if (end === -1) end = len
    const eq = cookie.indexOf('=', start)
    if (eq !== -1 && eq < end && cookie.slice(start, eq).trim() === name) {
      let value = cookie.slice(eq + 1, end).trim()
      if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) value = value.slice(1, -1)
      return value
    }
    start = end + 1
  }
  return undefined
}

function firstValue (v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0]
}

/**
 * Compile a cohort spec once (config load) into a reader; throws on a malformed spec (the
 * schema already rejects those). An absent or empty value reads as undefined: such requests
 * get no cohort and callers fall back to random sampling.
 */
export function compileCohortKey (spec: string): CohortReader {
  const colon = spec.indexOf(':')
  const source = spec.slice(0, colon)
  const name = spec.slice(colon + 1)
  if (colon <= 0 || name === '' || (source !== 'header' && source !== 'cookie')) {
    throw new TypeError(`cohort key must be header:NAME or cookie:NAME (found "${spec}")`)
  }
  if (source === 'header') {
    const header = name.toLowerCase()
    return (headers) => firstValue(headers[header]) || undefined
  }
  return (headers) => {
    const cookie = headers.cookie
    if (cookie === undefined) return undefined
    return readCookie(cookie, name) || undefined
  }
}

const readers = new Map<string, CohortReader>()

/** Convenience form of compileCohortKey (readers cached per spec). */
export function cohortKey (spec: string, headers: IncomingHttpHeaders): string | undefined {
  let reader = readers.get(spec)
  if (!reader) { reader = compileCohortKey(spec); readers.set(spec, reader) }
  return reader(headers)
}

/** FNV-1a 32 + fmix32 over `routeName + '\0' + key`; unsigned. */
export function cohortHash (routeName: string, key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < routeName.length; i++) h = Math.imul(h ^ routeName.charCodeAt(i), 0x01000193)
  h = Math.imul(h, 0x01000193) // the '\0' separator: XOR with 0 is a no-op
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Deterministic bucket in [0, 1) for a cohort of a route. */
export function cohortBucket (routeName: string, key: string): number {
  return cohortHash(routeName, key) / 0x100000000
}
