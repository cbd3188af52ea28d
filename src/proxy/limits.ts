/**
 * Client-side limits of the proxy's HTTP/1.1 server. docs/limits.md lists every limit, its
 * default, its status and its counter reason; keep `DEFAULT_CLIENT_LIMITS`, `REJECTIONS`
 * (rejections.ts) and the doc in step.
 *
 * Contract:
 *  - `serverOptions()` is fixed when the server is created (Node reads it once): the parser's
 *    byte ceiling, the timeout sweep interval, a strict parser whatever NODE_OPTIONS says.
 *  - `applyLimits()` sets what Node lets change on a live server (timeouts, connection cap);
 *    a config reload calls it. `screenRequest()` (screen.ts) reads the live limits on every
 *    request, so header size/count and URL length follow reloads below the ceiling fixed at start.
 */
import type { Server, ServerOptions } from 'node:http'
import { limitsSchema, type LimitsConfig } from '../config/schema.js'

/** The `limits:` block of the config, units resolved (bytes, ms). */
export type ClientLimits = LimitsConfig

/** Safe defaults: the schema's (src/config/schema.ts says why each one). */
export const DEFAULT_CLIENT_LIMITS: Readonly<ClientLimits> = Object.freeze(limitsSchema.parse({}))

/** Defaults merged under what a config sets (a parsed config has them all already). */
export function resolveLimits (config: { limits?: Partial<ClientLimits> }): ClientLimits {
  const l = { ...DEFAULT_CLIENT_LIMITS, ...config.limits }
  // Node refuses headersTimeout > requestTimeout at creation; at runtime it would silently
  // let the request timeout win. The schema refuses it; this keeps embedders honest.
  if (l.requestTimeout > 0 && l.headersTimeout > l.requestTimeout) l.headersTimeout = l.requestTimeout
  return l
}

/** Room for the method, spaces and version around the URL in the parser's byte count. */
const REQUEST_LINE_SLACK = 1024

/**
 * Options fixed at server creation. The parser's ceiling is header size + URL length, so the
 * precise per-limit answers (414, 431) come from `screenRequest`; the ceiling only stops a
 * head that is over both at once (then `classifyClientError` tells 414 from 431 as best it can).
 */
export function serverOptions (l: ClientLimits): ServerOptions {
  return {
    maxHeaderSize: l.maxHeaderSize + l.maxUrlLength + REQUEST_LINE_SLACK,
    headersTimeout: l.headersTimeout,
    requestTimeout: l.requestTimeout,
    keepAliveTimeout: l.keepAliveTimeout,
    // Node sweeps for expired heads/requests at this interval (default 30 s, which would turn
    // a 10 s headersTimeout into up to 40 s).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(Math.min(l.headersTimeout || 1000, l.requestTimeout || 1000) / 4))),
    // The strict llhttp parser rejects CL+TE, duplicate CL, obs-fold, bare CR/LF and bad tokens
    // (RFC 9112 §6.3, §5.2, §2.2): an intermediary that is laxer than its upstream is the very
    // definition of request smuggling. Never inherit --insecure-http-parser from NODE_OPTIONS.
    insecureHTTPParser: false,
    // Node would answer a missing Host itself, uncounted; screenRequest does it instead.
    requireHostHeader: false,
    joinDuplicateHeaders: false,
  }
}

/** What can change on a live server (config reload). */
export function applyLimits (server: Server, l: ClientLimits): void {
  server.headersTimeout = l.headersTimeout
  server.requestTimeout = l.requestTimeout
  server.keepAliveTimeout = l.keepAliveTimeout
  // Node's own cap drops connections silently; the proxy answers 503 up to twice the limit
  // (see ProxyServer) and lets Node drop beyond that, so a flood cannot hold unbounded sockets.
  server.maxConnections = l.maxConnections * 2
  // The header count is enforced by screenRequest on rawHeaders, not by Node: Node 20 only
  // truncates req.headers past maxHeadersCount while Node 24's parser fails the head with
  // HPE_HEADER_OVERFLOW (indistinguishable from a too-large head). 0 = no cap in Node; memory
  // stays bounded by maxHeaderSize (the parser's byte ceiling).
  server.maxHeadersCount = 0
}

