/**
 * Error classes with stable codes. Metrics, logs, tests and client-facing JSON bodies key on
 * `code`, never on the message (the message is for humans and may be reworded).
 * The table is mirrored in docs/errors.md; a test keeps the two in sync.
 */

export interface ErrorInfo {
  /** HTTP status sent to the client when this error ends a request. */
  readonly status: number
  /** What it means and what to do, for docs and the JSON body. */
  readonly description: string
}

export const ERROR_CODES = {
  SHADOWFIG_ERR_UPSTREAM_CONNECT: { status: 502, description: 'The upstream refused or could not be reached; check that it is running and that its url in the config is right.' },
  SHADOWFIG_ERR_UPSTREAM_TIMEOUT: { status: 504, description: 'The upstream did not answer within its configured timeout.' },
  SHADOWFIG_ERR_UPSTREAM_RESET: { status: 502, description: 'The upstream closed the connection before a complete response.' },
  SHADOWFIG_ERR_UPSTREAM_PROTOCOL: { status: 502, description: 'The upstream sent bytes that are not a valid HTTP/1.1 response.' },
  SHADOWFIG_ERR_NO_ROUTE: { status: 404, description: 'No route matches the request; add a catch-all route (match: { pathPrefix: / }).' },
  SHADOWFIG_ERR_DRAINING: { status: 503, description: 'The proxy is shutting down and no longer accepts requests.' },
  SHADOWFIG_ERR_BAD_REQUEST: { status: 400, description: 'The request is malformed or ambiguous and was not forwarded.' },
  SHADOWFIG_ERR_BODY_TOO_LARGE: { status: 413, description: 'The request body exceeds the route limit.' },
  SHADOWFIG_ERR_REQUEST_TIMEOUT: { status: 408, description: 'The client did not send the full request in time.' },
  SHADOWFIG_ERR_URI_TOO_LONG: { status: 414, description: 'The request target is longer than limits.maxUrlLength.' },
  SHADOWFIG_ERR_HEADERS_TOO_LARGE: { status: 431, description: 'The request headers exceed the configured size or count.' },
  SHADOWFIG_ERR_NOT_IMPLEMENTED: { status: 501, description: 'The request uses a transfer coding the proxy does not implement (only chunked); send the body with Content-Length or plain chunked.' },
  SHADOWFIG_ERR_OVERLOADED: { status: 503, description: 'The proxy is at its connection limit.' },
  SHADOWFIG_ERR_CONFIG: { status: 500, description: 'The config file is invalid; every error is listed with file:line:col.' },
  SHADOWFIG_ERR_UNAUTHORIZED: { status: 401, description: 'The admin endpoint needs Authorization: Bearer <token> (or a loopback client when no token is configured).' },
  SHADOWFIG_ERR_FORBIDDEN: { status: 403, description: 'The admin request was refused (cross-origin browser request, or no token configured and the client is not on loopback).' },
  SHADOWFIG_ERR_NOT_FOUND: { status: 404, description: 'The admin resource does not exist.' },
  SHADOWFIG_ERR_CLIENT_ABORTED: { status: 499, description: 'The client closed the connection (or the proxy answered it itself) before the upstream response was complete; the upstream request was aborted. Never sent to a client.' },
  SHADOWFIG_ERR_INTERNAL: { status: 500, description: 'An unexpected error inside shadowfig; please report it with the log line.' },
} as const satisfies Record<string, ErrorInfo>

export type ErrorCode = keyof typeof ERROR_CODES

export class ShadowfigError extends Error {
  readonly code: ErrorCode
  readonly status: number

  constructor (code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].description, options)
    this.name = 'ShadowfigError'
    this.code = code
    this.status = ERROR_CODES[code].status
  }

  /** The small JSON body a client gets; never carries upstream or internal details. */
  toJSON (): ErrorBody {
    return errorBody(this.code, this.message)
  }
}

/**
 * The one shape of every error body shadowfig writes (proxy answers and the admin API):
 * `{ error: { code, message, reason?, requestId? } }`. Absent details are left out.
 */
export interface ErrorBody {
  error: { code: ErrorCode, message: string, reason?: string, requestId?: string }
}

export function errorBody (code: ErrorCode, message: string, detail: { reason?: string, requestId?: string } = {}): ErrorBody {
  const error: ErrorBody['error'] = { code, message }
  if (detail.reason !== undefined) error.reason = detail.reason
  if (detail.requestId !== undefined) error.requestId = detail.requestId
  return { error }
}

/**
 * A forwarded request ended from the client side: the client closed its connection, or the
 * proxy answered it itself (a body over the limit). Aborts the upstream request; never reaches
 * a client.
 */
export class ClientAbortedError extends ShadowfigError {
  constructor (readonly reason: 'client_gone' | 'answered_by_proxy') {
    super('SHADOWFIG_ERR_CLIENT_ABORTED', reason === 'client_gone' ? 'client closed the connection' : 'the proxy answered the client itself')
    this.name = 'ClientAbortedError'
  }
}

/** A request body over the route limit (chunked uploads); aborts the upstream request. */
export class BodyTooLargeError extends ShadowfigError {
  constructor (readonly limit: number) {
    super('SHADOWFIG_ERR_BODY_TOO_LARGE', `request body over the route limit of ${limit} bytes`)
    this.name = 'BodyTooLargeError'
  }
}

/** One problem in a config file, positioned for `file:line:col message` output. */
export interface ConfigIssue {
  file: string
  line: number
  col: number
  /** Key path inside the document, e.g. `routes[2].shadow.sample`. */
  path: string
  message: string
}

export class ConfigError extends ShadowfigError {
  readonly issues: ConfigIssue[]

  constructor (issues: ConfigIssue[]) {
    super('SHADOWFIG_ERR_CONFIG', issues.map(formatConfigIssue).join('\n'))
    this.name = 'ConfigError'
    this.issues = issues
  }
}

export function formatConfigIssue (i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.col} ${i.path ? i.path + ': ' : ''}${i.message}`
}
