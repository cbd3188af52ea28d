/**
 * Error classes with stable codes. Metrics, logs, tests and client-facing JSON bodies key on
 * `code`, never on the message (the message is for humans and may be reworded).
 * The table is mirrored in docs/errors.md; a test keeps the two in sync.
 */

export interface ErrorInfo {
  /**
   * HTTP status sent to the client when this error ends a request. Codes that never end one
   * (CLI, internal control flow) still carry the status that fits them: the admin API answers
   * any ShadowfigError that reaches it with this status, so none may be left without one.
   */
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
  SHADOWFIG_ERR_CONFLICT: { status: 409, description: 'The admin change does not fit the route\'s state (guard tripped, not ready, top of its climb); the message says why and how to override.' },
  SHADOWFIG_ERR_INTERNAL: { status: 500, description: 'An unexpected error inside shadowfig; please report it with the log line.' },
  // The codes below never reach a client over HTTP: the CLI, the mirror and the worker pools use them.
  SHADOWFIG_ERR_USAGE: { status: 400, description: 'A command was given an unknown option or an unusable value; the CLI prints one line and exits 1 (see `shadowfig COMMAND --help`).' },
  SHADOWFIG_ERR_CLUSTER_START: { status: 500, description: 'A cluster worker (--workers N) could not start; every reason is printed, and the CLI exits 1 for a bad config, 2 otherwise.' },
  SHADOWFIG_ERR_CAPTURE_FORMAT: { status: 400, description: 'A line of a capture file is not a capture record; replay stops at it (file:line) instead of testing less than it claims.' },
  SHADOWFIG_ERR_CLIENT_ABORTED: { status: 499, description: 'The client closed the connection (or the proxy answered it itself) before the upstream response was complete; the upstream request was aborted. Never sent to a client.' },
  SHADOWFIG_ERR_MIRROR_TIMEOUT: { status: 504, description: 'A mirrored request to the candidate or secondary exceeded its shadow timeout; counted as a timeout, the client never sees it.' },
  SHADOWFIG_ERR_CAPTURE_FULL: { status: 500, description: 'A mirrored response outgrew (or declared more than) the capture limit; reading stops and the comparison sees a truncated body.' },
  SHADOWFIG_ERR_TASK_ABORTED: { status: 500, description: 'A comparison task was cancelled (time limit) or its thread pool closed before it ran; the exchange is reported as skipped.' },
} as const satisfies Record<string, ErrorInfo>

export type ErrorCode = keyof typeof ERROR_CODES

export class ShadowfigError extends Error {
  readonly code: ErrorCode
  readonly status: number

  constructor (code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].description, options)
    // The subclass's own name, so logs and stack traces say which error without each setting it.
    this.name = new.target.name
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
    this.issues = issues
  }
}

export function formatConfigIssue (i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.col} ${i.path ? i.path + ': ' : ''}${i.message}`
}

/**
 * A config expression the compile step refuses: a JSONPath outside the supported subset, a
 * regular expression that does not compile, an unknown comparator or a module that cannot be
 * one. The message names the expression and what to write instead; the loader positions it
 * (file:line:col) at the entry that holds it.
 */
export class ExpressionError extends ShadowfigError {
  constructor (message: string, options?: { cause?: unknown }) { super('SHADOWFIG_ERR_CONFIG', message, options) }
}

/** `new RegExp` for a config value; a bad pattern is an ExpressionError saying so. */
export function configRegExp (source: string, flags?: string): RegExp {
  try {
    return new RegExp(source, flags)
  } catch (err) {
    throw new ExpressionError(`not a valid regular expression: ${(err as Error).message}; escape a character meant literally with a backslash (\\( \\[ \\. \\+)`, { cause: err })
  }
}

/** A command line a command cannot run with (unknown option, bad value, missing argument). */
export class UsageError extends ShadowfigError {
  constructor (message: string) { super('SHADOWFIG_ERR_USAGE', message) }
}

/**
 * A cluster worker could not start. Only strings cross the IPC channel, so a worker's
 * ConfigError arrives as its formatted `errors` and the exit code it asks for (1 bad config).
 */
export class ClusterStartError extends ShadowfigError {
  constructor (readonly errors: string[], readonly exitCode: number) { super('SHADOWFIG_ERR_CLUSTER_START', errors.join('\n')) }
}

/** A capture line that is not a record; the message is `file:line reason`. */
export class CaptureFormatError extends ShadowfigError {
  constructor (readonly file: string, readonly line: number, message: string) { super('SHADOWFIG_ERR_CAPTURE_FORMAT', `${file}:${line} ${message}`) }
}

/** A request body over the route limit, counted while streaming (chunked uploads). */
export class BodyTooLargeError extends ShadowfigError {
  constructor (readonly limit: number) { super('SHADOWFIG_ERR_BODY_TOO_LARGE', `request body over the route limit of ${limit} bytes`) }
}


/** The mirror's own timer over the whole exchange; the upstream-failure classifier files it as `timeout`. */
export class MirrorTimeoutError extends ShadowfigError {
  constructor () { super('SHADOWFIG_ERR_MIRROR_TIMEOUT', 'mirror exceeded its time limit') }
}

/** Aborts a mirrored response past the capture limit: the mirror keeps what it read, marked truncated. */
export class CaptureFullError extends ShadowfigError {
  constructor () { super('SHADOWFIG_ERR_CAPTURE_FULL', 'capture limit reached') }
}

/** A thread-pool task stopped on purpose (cancel, close) rather than failed. */
export class TaskAbortedError extends ShadowfigError {
  constructor (message: string) { super('SHADOWFIG_ERR_TASK_ABORTED', message) }
}
