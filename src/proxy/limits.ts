/**
 * Client-side limits of the proxy's HTTP/1.1 server, and what a violation is answered with.
 * docs/limits.md lists every limit, its default, its status and its counter reason; keep the
 * three tables (`DEFAULT_CLIENT_LIMITS`, `REJECTIONS`, the doc) in step.
 *
 * Contract:
 *  - `serverOptions()` is fixed when the server is created (Node reads it once): the parser's
 *    byte ceiling, the timeout sweep interval, a strict parser whatever NODE_OPTIONS says.
 *  - `applyLimits()` sets what Node lets change on a live server (timeouts, connection cap);
 *    a config reload calls it. `screenRequest()` reads the live limits on every request, so
 *    header size/count and URL length follow reloads below the ceiling fixed at start.
 *  - every rejection has exactly one reason (`RejectReason`), one status and one error code;
 *    a client that simply went away (ECONNRESET) is not a rejection and is not counted.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http'
import { Transform, type TransformCallback } from 'node:stream'
import { limitsSchema, type LimitsConfig } from '../config/schema.js'
import { ERROR_CODES, type ErrorCode } from '../errors.js'

/** The `limits:` block of the config, units resolved (bytes, ms). */
export type ClientLimits = LimitsConfig

/** Safe defaults: the schema's (src/config/schema.ts says why each one). */
export const DEFAULT_CLIENT_LIMITS: Readonly<ClientLimits> = Object.freeze(limitsSchema.parse({}))

export type RejectReason =
  | 'header_too_large' | 'too_many_headers' | 'uri_too_long' | 'headers_timeout'
  | 'request_timeout' | 'body_too_large' | 'max_connections' | 'bad_request' | 'smuggling'

export interface Rejection { status: number, text: string, code: ErrorCode }

export const REJECTIONS: Readonly<Record<RejectReason, Rejection>> = {
  header_too_large: { status: 431, text: 'Request Header Fields Too Large', code: 'SHADOWFIG_ERR_HEADERS_TOO_LARGE' },
  too_many_headers: { status: 431, text: 'Request Header Fields Too Large', code: 'SHADOWFIG_ERR_HEADERS_TOO_LARGE' },
  // No code of its own yet: the status says what BAD_REQUEST cannot (as the admin API's 405 does).
  uri_too_long: { status: 414, text: 'URI Too Long', code: 'SHADOWFIG_ERR_URI_TOO_LONG' },
  headers_timeout: { status: 408, text: 'Request Timeout', code: 'SHADOWFIG_ERR_REQUEST_TIMEOUT' },
  request_timeout: { status: 408, text: 'Request Timeout', code: 'SHADOWFIG_ERR_REQUEST_TIMEOUT' },
  body_too_large: { status: 413, text: 'Content Too Large', code: 'SHADOWFIG_ERR_BODY_TOO_LARGE' },
  max_connections: { status: 503, text: 'Service Unavailable', code: 'SHADOWFIG_ERR_OVERLOADED' },
  bad_request: { status: 400, text: 'Bad Request', code: 'SHADOWFIG_ERR_BAD_REQUEST' },
  smuggling: { status: 400, text: 'Bad Request', code: 'SHADOWFIG_ERR_BAD_REQUEST' },
}

export const REJECT_REASONS = Object.keys(REJECTIONS) as RejectReason[]

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

/** Bytes of a head as counted against maxHeaderSize: each line is name + ": " + value + CRLF. */
function headBytes (raw: readonly string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i++) n += raw[i].length + 2
  return n
}

/** `.` or `..` as a whole path segment, raw or percent-encoded (%2e), before any query. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/**
 * Checks on a parsed request head that llhttp does not make. Undefined when acceptable.
 * Header names and values are already valid tokens/field-content (the parser is strict).
 */
export function screenRequest (req: IncomingMessage, l: ClientLimits): RejectReason | undefined {
  const raw = req.rawHeaders
  // llhttp takes `GET /` without a version as HTTP/0.9; nothing upstream should see that.
  if (req.httpVersionMajor !== 1) return 'bad_request'
  if ((req.url as string).length > l.maxUrlLength) return 'uri_too_long'
  // RFC 3986 §5.2.4 dot segments: `/api/../admin` would match a `/api` route here and reach
  // `/admin` on an upstream that resolves it. Browsers never send them; refuse, don't guess.
  if (DOT_SEGMENT.test(pathOf(req.url as string))) return 'bad_request'
  if (raw.length > l.maxHeaderCount * 2) return 'too_many_headers'
  if (headBytes(raw) > l.maxHeaderSize) return 'header_too_large'
  let hosts = 0
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') hosts++
  }
  // RFC 9112 §3.2: more than one Host line is a 400; picking either one would let a cache or
  // router upstream disagree with us about which site was asked for.
  if (hosts > 1) return 'smuggling'
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400 too.
  if (hosts === 0 && req.httpVersionMinor === 1) return 'bad_request'
  // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty
  // (llhttp ignores it there and the "body" would become the next request).
  const te = req.headers['transfer-encoding']
  if (te !== undefined) {
    if (req.httpVersionMinor === 0) return 'smuggling'
    // RFC 9112 §6.3 (4): chunked must be the final coding of a request, or its length is
    // unknowable. llhttp flags this only after the head was handed over, so check here first.
    if (!/(?:^|,)[ \t]*chunked[ \t]*$/i.test(te)) return 'smuggling'
  }
  return undefined
}

/** Parser error codes whose cause is message framing (RFC 9112 §6): the smuggling family. */
const FRAMING_ERRORS = new Set([
  'HPE_INVALID_TRANSFER_ENCODING', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_CONTENT_LENGTH',
  'HPE_INVALID_CHUNK_SIZE', 'HPE_CR_EXPECTED', 'HPE_LF_EXPECTED', 'HPE_STRICT',
])

/** Socket errors that mean the client left; nothing to answer, nothing to count. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'])

export interface ClientErrorInfo {
  code?: string
  rawPacket?: Buffer
  bytesParsed?: number
}

/**
 * The reason for a node:http `clientError`, or undefined when the client just went away.
 * `headComplete` is true when the request's head had been parsed (a response object exists).
 */
export function classifyClientError (err: ClientErrorInfo, headComplete: boolean): RejectReason | undefined {
  const code = err.code ?? ''
  if (CLIENT_GONE.has(code)) return undefined
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return headComplete ? 'request_timeout' : 'headers_timeout'
  if (code === 'HPE_HEADER_OVERFLOW') {
    // Over the parser's ceiling. When no line feed arrived yet, the request line itself is
    // what overflowed (RFC 9112 §3: 414 is the right answer for a target that long).
    const seen = err.rawPacket?.subarray(0, err.bytesParsed ?? err.rawPacket.length)
    return seen !== undefined && !seen.includes(10) ? 'uri_too_long' : 'header_too_large'
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 'body_too_large'
  if (FRAMING_ERRORS.has(code)) return 'smuggling'
  return 'bad_request'
}

/** A minimal response written straight to a socket (the parser is gone, no ServerResponse). */
export function rawResponse (reason: RejectReason | Rejection, extra = ''): string {
  const r = typeof reason === 'string' ? REJECTIONS[reason] : reason
  return `HTTP/1.1 ${r.status} ${r.text}\r\nconnection: close\r\ncontent-length: 0\r\ncache-control: no-store\r\nx-shadowfig-error: ${r.code}\r\n${extra}\r\n`
}

/**
 * The JSON error body of respond.ts, with the rejection's own status (414 has no code of its
 * own). The connection closes after it: whatever the client sent next was not read.
 * Only for a response not started yet (callers check; writeHead throws otherwise).
 */
export function sendRejection (res: ServerResponse, reason: RejectReason, extra?: Record<string, string>): void {
  const r = REJECTIONS[reason]
  res.shouldKeepAlive = false
  const body = JSON.stringify({ error: { code: r.code, message: ERROR_CODES[r.code].description, reason } })
  res.writeHead(r.status, {
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-shadowfig-error': r.code,
  })
  res.end(body)
}

export class BodyTooLargeError extends Error {
  readonly code = 'SHADOWFIG_ERR_BODY_TOO_LARGE'
  constructor (readonly limit: number) { super(`request body over the route limit of ${limit} bytes`) }
}

/**
 * Counts body bytes (chunked uploads, whose size is unknown up front) and errors with
 * BodyTooLargeError past `limit`, after calling `onOver` once. The error aborts the upstream
 * request: a truncated body must never reach it as if complete.
 */
export class BodyLimit extends Transform {
  private seen = 0
  constructor (private readonly limit: number, private readonly onOver: () => void) { super() }

  override _transform (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.limit) {
      this.onOver()
      cb(new BodyTooLargeError(this.limit))
      return
    }
    cb(null, chunk)
  }
}
