/**
 * Forwards one client request to one upstream and streams the response back, as an undici
 * dispatch handler (no per-chunk promises, no intermediate streams).
 *
 * Invariants:
 * - status, reason phrase, header order/case/multiplicity and trailers pass through; the body
 *   is never decoded (content-encoding untouched); Node re-frames it (CL kept, else chunked).
 * - backpressure both ways: request body via undici's stream handling; response body by
 *   pausing the upstream when `res.write()` returns false and resuming on 'drain'.
 * - a client that goes away aborts the upstream request; an upstream failure before the
 *   response started becomes a 502/504 JSON error, after it the client socket is destroyed
 *   (a truncated body must never look complete).
 * - optionally tees the response body into a capped buffer for the comparison side.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { Upstream } from './upstreams.js'
import { clientResponseHeaders, headerMap, trailerTuples } from './headers.js'
import { FAILURE_ERROR_CODE, classifyUpstreamError, type UpstreamFailure } from '../http/failure.js'
import { RETRYABLE_METHODS } from '../http/methods.js'
import { sendError } from './respond.js'
import type { CapturedResponse } from '../shadow/exchange.js'
import { ownedBytes } from '../shadow/owned-bytes.js'

export interface ForwardObserver {
  /** Called once, when the response is complete or has failed. */
  onForwardEnd (forward: Forward): void
  /**
   * Called on an upstream failure before any response byte reached the client. Returning true
   * means the observer took over the client response (e.g. a split retrying on the primary).
   */
  onForwardFailure? (forward: Forward, failure: UpstreamFailure): boolean
}

class ClientGoneError extends Error {
  readonly code = 'SHADOWFIG_CLIENT_GONE'
  constructor () { super('client closed the connection') }
}

export class Forward implements Dispatcher.DispatchHandler {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly upstream: Upstream
  readonly requestId: string | undefined
  /** Max response bytes kept for comparison; 0 = no capture. */
  readonly captureLimit: number
  readonly startedAt = performance.now()
  status = 0
  durationMs = 0
  failure: UpstreamFailure | undefined
  /** Raw undici/errno code of the failure (e.g. UND_ERR_CONNECT_TIMEOUT), when known. */
  errorCode: string | undefined
  /** Whether the client request has a body (it cannot be replayed on another upstream). */
  hasBody = false
  /** Upstream request headers as dispatched (kept for the one stale-socket retry). */
  private headers: string[] = []
  private retried = false
  /** Set when an observer took the client response over after a failure (a retry elsewhere). */
  handedOver = false
  /** Request target (origin-form, before the upstream's base path) and method, as dispatched. */
  path = ''
  method = ''
  /** True when the client connection closed before the response was complete. */
  clientGone = false
  private controller: Dispatcher.DispatchController | undefined
  private observer: ForwardObserver | undefined
  private responseHeaders: string[] | undefined
  private chunks: Buffer[] | undefined
  private captured = 0
  private truncated = false
  private finished = false

  constructor (req: IncomingMessage, res: ServerResponse, upstream: Upstream, opts: {
    requestId?: string, captureLimit?: number, observer?: ForwardObserver
  } = {}) {
    this.req = req
    this.res = res
    this.upstream = upstream
    this.requestId = opts.requestId
    this.captureLimit = opts.captureLimit ?? 0
    this.observer = opts.observer
    res.on('close', this.onClientClose)
    res.on('drain', this.onClientDrain)
  }

  /** Starts the upstream request. `body` is null when the client request has none. */
  dispatch (method: string, path: string, headers: string[], body: Readable | null): void {
    this.hasBody = body !== null
    this.method = method
    this.path = path
    this.headers = headers
    try {
      this.upstream.pool.dispatch({ method, path: this.upstream.basePath + path, headers, body }, this)
    } catch (err) {
      this.onResponseError(undefined, err as Error)
    }
  }

  /** Response bytes captured for comparison (raw, capped). */
  capture (): CapturedResponse {
    const body = this.chunks === undefined ? new Uint8Array(0) : ownedBytes(this.chunks, this.captured)
    return {
      status: this.status,
      headers: this.responseHeaders ? headerMap(this.responseHeaders) : {},
      body,
      truncated: this.truncated,
      durationMs: this.durationMs,
      failure: this.failure,
    }
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.clientGone) controller.abort(new ClientGoneError())
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, _headers: unknown, statusMessage?: string): void {
    if (statusCode < 200) { this.forwardInformational(statusCode); return }
    this.status = statusCode
    const headers = clientResponseHeaders((controller.rawHeaders ?? []) as Buffer[])
    if (this.captureLimit > 0) { this.responseHeaders = headers; this.chunks = [] }
    try {
      this.res.writeHead(statusCode, statusMessage || undefined, headers)
    } catch (err) {
      // Node refuses header names/values that are invalid on the wire: treat as a bad upstream.
      controller.abort(Object.assign(new Error('invalid upstream response header', { cause: err }), { code: 'HPE_INVALID_HEADER_TOKEN' }))
    }
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks !== undefined && !this.truncated) {
      if (this.captured + chunk.length <= this.captureLimit) {
        this.chunks.push(chunk)
        this.captured += chunk.length
      } else {
        this.truncated = true
      }
    }
    if (!this.res.write(chunk)) controller.pause()
  }

  onResponseEnd (controller: Dispatcher.DispatchController): void {
    const trailers = controller.rawTrailers as Buffer[] | null | undefined
    if (trailers && trailers.length > 0) this.res.addTrailers(trailerTuples(trailers))
    this.res.end()
    this.finish()
  }

  onResponseError (_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.finished) return
    if (this.clientGone || err instanceof ClientGoneError) { this.finish(); return }
    const failure = classifyUpstreamError(err)
    if (this.retryStaleSocket(failure)) return
    this.failure = failure
    const code = (err as { code?: unknown }).code
    this.errorCode = typeof code === 'string' ? code : undefined
    if (!this.res.headersSent && this.observer?.onForwardFailure?.(this, failure) === true) {
      this.handedOver = true
      this.res.off('close', this.onClientClose)
      this.finish()
      return
    }
    if (this.res.headersSent) this.res.destroy(err)
    else sendError(this.res, FAILURE_ERROR_CODE[failure], this.requestId)
    this.finish()
  }

  /**
   * A pooled keep-alive socket the upstream closed just as we reused it fails with a reset
   * before any response byte. A safe, bodiless request cannot have changed anything, so it
   * is sent once more on a fresh connection (as nginx's proxy_next_upstream does for errors).
   */
  private retryStaleSocket (failure: UpstreamFailure): boolean {
    if (failure !== 'reset' || this.retried || this.hasBody || this.status !== 0 || this.res.headersSent) return false
    if (!RETRYABLE_METHODS.has(this.method)) return false
    this.retried = true
    this.controller = undefined
    try {
      this.upstream.pool.dispatch({ method: this.method, path: this.upstream.basePath + this.path, headers: this.headers, body: null }, this)
    } catch {
      return false
    }
    return true
  }

  private forwardInformational (statusCode: number): void {
    // 100 is answered by the proxy itself (Expect is handled locally); 101 goes through the
    // upgrade path; 103 Early Hints is worth relaying; other 1xx are dropped (RFC 9110 §15.2).
    if (statusCode === 103 && !this.res.headersSent) {
      const raw = (this.controller?.rawHeaders ?? []) as Buffer[]
      const hints: Record<string, string | string[]> = {}
      for (let i = 0; i + 1 < raw.length; i += 2) {
        if (raw[i].toString('latin1').toLowerCase() === 'link') {
          const v = raw[i + 1].toString('latin1')
          const prev = hints.link
          hints.link = prev === undefined ? v : ([] as string[]).concat(prev, v)
        }
      }
      if (hints.link !== undefined) this.res.writeEarlyHints(hints)
    }
  }

  private finish (): void {
    if (this.finished) return
    this.finished = true
    this.durationMs = performance.now() - this.startedAt
    this.res.off('drain', this.onClientDrain)
    this.observer?.onForwardEnd(this)
  }

  private readonly onClientDrain = (): void => { this.controller?.resume() }

  private readonly onClientClose = (): void => {
    this.res.off('close', this.onClientClose)
    if (this.res.writableFinished) return
    this.clientGone = true
    // Abort the upstream so it stops producing for nobody; the pool drops that socket.
    // Before undici started, onRequestStart sees clientGone and aborts there.
    if (this.controller && !this.controller.aborted) this.controller.abort(new ClientGoneError())
  }
}
