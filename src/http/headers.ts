/**
 * Header values as the proxy hands them on: lower-case names, a repeated header as an array.
 * Shared by every side that carries headers (proxy, shadow, compare, record, replay), so none
 * of them imports another for the shape.
 */

export type HeaderMap = Record<string, string | string[]>

/**
 * Connection-specific fields (RFC 9110 §7.6.1, plus the non-standard `proxy-connection`),
 * lower case: they describe one hop and are never passed on as they are. Each sender adds the
 * fields it owns itself.
 */
export const HOP_BY_HOP: readonly string[] = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade']

/** One header's value, repeated fields joined with `, ` (RFC 9110 §5.3). `name` is lower case. */
export function headerValue (headers: HeaderMap, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/**
 * Whether a response declares (Content-Length) a body longer than `limit` bytes, from its flat
 * `[name, value, …]` header list. A HEAD answer, 1xx, 204 and 304 carry no body whatever they
 * declare (RFC 9110 §8.6). Without a usable Content-Length (chunked, or until close) the body's
 * length is only known while reading it: callers stop reading at the limit then.
 */
export function declaresBodyOver (method: string, status: number, flat: readonly string[], limit: number): boolean {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return false
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i].length === 14 && flat[i].toLowerCase() === 'content-length') return Number(flat[i + 1]) > limit
  }
  return false
}
