/**
 * Request methods, by what the proxy may do with them. One module, so "safe" means the same
 * when mirroring, replaying a capture, failing a split request over and retrying a stale socket.
 */

/** Methods the proxy forwards: what a route's `methods:` accepts and a 405's `Allow` lists. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'] as const

export type HttpMethod = typeof HTTP_METHODS[number]

/**
 * Safe methods (RFC 9110 §9.2.1): the client does not ask for a change on the origin, so a
 * copy sent to a candidate (mirroring) or sent again later (`shadowfig replay`) cannot apply
 * one. Anything else needs `allowWrites` / `--allow-writes`.
 */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

/**
 * Methods the proxy itself sends a second time in place of the client: a split request failed
 * over to the primary, a request retried after a stale keep-alive socket. The safe methods
 * but TRACE: a TRACE answer echoes the request as one particular chain of servers received it
 * (RFC 9110 §9.3.8), so a resent one, above all on another upstream, would describe a path
 * the client's request did not take. Failover is documented with exactly these three
 * (docs/traffic-shifting.md).
 */
export const RETRYABLE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])
