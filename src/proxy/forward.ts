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
 * - optionally tees the response body into a capped buffer for the comparison side (none when
 *   Content-Length already says it is over the cap).
 * - when it is over, observers get one read-only ForwardOutcome (outcome.ts); replayable
 *   requests are wrapped by the RetryHandler (retry.ts), the only retry mechanism.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { ClientAbortedError, ShadowfigError } from '../errors.js'
import { FAILURE_ERROR_CODE, classifyUpstreamError, type UpstreamFailure } from '../http/failure.js'
import { RETRYABLE_METHODS } from '../http/methods.js'
import { ownedBytes } from '../http/owned-bytes.js'
import type { CapturedResponse } from '../http/captured.js'
import { declaresBodyOver } from '../http/headers.js'
import { sendError } from './error-response.js'
import { clientResponseHeaders, forwardedInfo, headerMap, trailerTuples, upstreamRequestHeaders } from '../http/forwarding.js'
import type { AbortReason, FailedAttempt, ForwardEnd, ForwardObserver, ForwardOutcome } from './outcome.js'
import { RetryHandler, type RetryPolicy, type Retryable } from './retry.js'
import type { Upstream } from './upstreams.js'

/** What a Forward needs from its route. */
export interface ForwardRoute extends ForwardObserver {
  readonly preserveHost: boolean
  readonly retryPolicy: RetryPolicy | undefined
}

export interface ForwardOptions {
  /** Request id shared with the mirrors (`x-shadowfig-request-id`), when mirrored. */
  requestId?: string
  /** Headers appended to every upstream attempt (the mirror's request id). */
  extraHeaders?: readonly string[]
  /** Max response bytes kept for comparison; 0 = no capture. */
  captureLimit?: number
  /** A second observer (a mirror session), told after the route; the outcome then carries the captured response. */
  mirror?: ForwardObserver
}

export class Forward implements Retryable {
  readonly method: string
  upstream: Upstream
  attemptStartedAt = performance.now()
  private readonly req: IncomingMessage
  private readonly res: ServerResponse
  private readonly route: ForwardRoute
  private readonly opts: ForwardOptions
  /** Max response bytes kept for comparison; 0 = no capture. */
  private readonly captureLimit: number
  private target = ''
  private hasBody = false
  private status = 0
  private abortReason: AbortReason | undefined
  /** The status of the proxy's own answer, when it answered the client itself. */
  private answeredStatus = 0
  private controller: Dispatcher.DispatchController | undefined
  private responseHeaders: string[] | undefined
  private chunks: Buffer[] | undefined
  private captured = 0
  private truncated = false
  private finished = false
  private retried: FailedAttempt[] | undefined

  constructor (req: IncomingMessage, res: ServerResponse, upstream: Upstream, route: ForwardRoute, opts: ForwardOptions = NO_OPTIONS) {
    this.req = req
    this.res = res
    this.upstream = upstream
    this.route = route
    this.opts = opts
    this.captureLimit = opts.captureLimit ?? 0
    this.method = req.method as string
    res.on('close', this.onClientClose)
    res.on('drain', this.onClientDrain)
  }

  get aborted (): boolean { return this.abortReason !== undefined }

  /** Starts the upstream request. `body` is null when the client request has none. */
  dispatch (target: string, body: Readable | null): void {
    this.target = target
    this.hasBody = body !== null
    const handler = body === null && RETRYABLE_METHODS.has(this.method) ? new RetryHandler(this, this.route.retryPolicy) : this
    this.send(handler, body)
  }

  /**
   * Ends the request from the client side: the client left, or the proxy answered it itself
   * (with `status`). The upstream request is aborted so it stops producing for nobody; the
   * pool drops that socket.
   */
  abort (reason: AbortReason, status = 0): void {
    if (this.abortReason !== undefined || this.finished) return
    this.abortReason = reason
    this.answeredStatus = status
    this.res.off('close', this.onClientClose)
    // Before undici started, onRequestStart sees the reason and aborts there.
    if (this.controller && !this.controller.aborted) this.controller.abort(new ClientAbortedError(reason))
  }

  redispatch (upstream: Upstream, handler: Dispatcher.DispatchHandler, failed: FailedAttempt | undefined): void {
    if (failed !== undefined) (this.retried ??= []).push(failed)
    this.upstream = upstream
    this.controller = undefined
    this.attemptStartedAt = performance.now()
    this.send(handler, null)
  }

  private send (handler: Dispatcher.DispatchHandler, body: Readable | null): void {
    const up = this.upstream
    const headers = upstreamRequestHeaders(this.req.rawHeaders, up.hostHeader, this.route.preserveHost, forwardedInfo(this.req), this.opts.extraHeaders)
    try {
      up.pool.dispatch({ method: this.method, path: up.basePath + this.target, headers, body }, handler)
    } catch (err) {
      handler.onResponseError?.(undefined as unknown as Dispatcher.DispatchController, err as Error)
    }
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.abortReason !== undefined) controller.abort(new ClientAbortedError(this.abortReason))
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, _headers: unknown, statusMessage?: string): void {
    if (statusCode < 200) { this.forwardInformational(statusCode); return }
    this.status = statusCode
    const headers = clientResponseHeaders((controller.rawHeaders ?? []) as Buffer[])
    const captureLimit = this.captureLimit
    if (captureLimit > 0) {
      this.responseHeaders = headers
      // A body declared longer than the comparison reads is not buffered at all (the client
      // still gets every byte): the capture is truncated from its head.
      if (declaresBodyOver(this.method, statusCode, headers, captureLimit)) this.truncated = true
      else this.chunks = []
    }
    try {
      this.res.writeHead(statusCode, statusMessage || undefined, headers)
    } catch (err) {
      // Node refuses header names/values that are invalid on the wire: treat as a bad upstream.
      controller.abort(new ShadowfigError('SHADOWFIG_ERR_UPSTREAM_PROTOCOL', 'invalid upstream response header', { cause: err }))
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
    this.finish('complete', undefined, undefined)
  }

  onResponseError (_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.finished) return
    if (this.abortReason !== undefined) { this.finish(this.abortReason, undefined, undefined); return }
    const failure = classifyUpstreamError(err)
    const code = (err as { code?: unknown }).code
    if (this.res.headersSent) this.res.destroy(err)
    else sendError(this.res, FAILURE_ERROR_CODE[failure], { requestId: this.opts.requestId })
    this.finish('failed', failure, typeof code === 'string' ? code : undefined)
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

  private finish (end: ForwardEnd, failure: UpstreamFailure | undefined, errorCode: string | undefined): void {
    if (this.finished) return
    this.finished = true
    this.res.off('drain', this.onClientDrain)
    this.res.off('close', this.onClientClose)
    const outcome: ForwardOutcome = {
      method: this.method,
      target: this.target,
      hasBody: this.hasBody,
      end,
      upstream: this.upstream,
      status: this.status,
      failure,
      errorCode,
      durationMs: performance.now() - this.attemptStartedAt,
      clientStatus: this.answeredStatus !== 0 ? this.answeredStatus : this.res.headersSent ? this.res.statusCode : 0,
      retried: this.retried ?? NONE,
      response: this.opts.mirror === undefined ? undefined : this.capture(failure),
    }
    this.route.onForwardEnd(outcome)
    this.opts.mirror?.onForwardEnd(outcome)
  }

  /** Response bytes captured for comparison (raw, capped). */
  private capture (failure: UpstreamFailure | undefined): CapturedResponse {
    return {
      status: this.status,
      headers: this.responseHeaders ? headerMap(this.responseHeaders) : {},
      body: this.chunks === undefined ? new Uint8Array(0) : ownedBytes(this.chunks, this.captured),
      truncated: this.truncated,
      durationMs: performance.now() - this.attemptStartedAt,
      failure,
    }
  }

  private readonly onClientDrain = (): void => { this.controller?.resume() }

  private readonly onClientClose = (): void => {
    if (this.res.writableFinished) return
    this.abort('client_gone')
  }
}

const NONE: readonly FailedAttempt[] = Object.freeze([])
/** Options of an unmirrored forward: shared, so the common request allocates none. */
const NO_OPTIONS: ForwardOptions = Object.freeze({})
