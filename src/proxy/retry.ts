/**
 * The one retry mechanism of the forwarding path: a dispatch handler that wraps the handler
 * streaming to the client (as undici's RetryHandler wraps a handler) and, when an attempt
 * fails before any response byte, asks a policy where to send the request next.
 *
 * Only replayable requests are wrapped (a safe method and no body: nothing was consumed and
 * nothing can be applied twice); every other request goes to undici with the plain handler.
 * In order:
 *  - a stale keep-alive socket: a pooled socket the upstream closed just as it was reused
 *    fails with a reset before any response byte; the request goes once more to the same
 *    upstream on a fresh connection (as nginx's proxy_next_upstream does for errors). That is
 *    a reconnect, not a failed attempt: it is not recorded in the outcome;
 *  - the route's policy (a split sends a candidate failure back to the primary, src/split/).
 */
import type { Dispatcher } from 'undici'
import type { FailedAttempt } from './outcome.js'
import { classifyUpstreamError } from '../http/failure.js'
import type { Upstream } from './upstreams.js'

/** Where a failed attempt goes next; undefined gives up (the client gets the failure). */
export interface RetryPolicy {
  retryTarget (failed: FailedAttempt, method: string): Upstream | undefined
}

/** What the retry handler drives: the handler that writes to the client. */
export interface Retryable extends Dispatcher.DispatchHandler {
  readonly method: string
  /** True once the client side ended the request (nothing more to retry for). */
  readonly aborted: boolean
  /** Current attempt's upstream and start. */
  readonly upstream: Upstream
  readonly attemptStartedAt: number
  /** Sends the request again, to `upstream`, with `handler` as undici's handler. */
  redispatch (upstream: Upstream, handler: Dispatcher.DispatchHandler, failed: FailedAttempt | undefined): void
}

export class RetryHandler implements Dispatcher.DispatchHandler {
  private responded = false
  private reconnected = false

  constructor (private readonly inner: Retryable, private readonly policy: RetryPolicy | undefined) {}

  onRequestStart (controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context)
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void {
    if (statusCode >= 200) this.responded = true
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: Dispatcher.DispatchController, trailers: Record<string, string | string[]>): void {
    this.inner.onResponseEnd?.(controller, trailers)
  }

  onResponseError (controller: Dispatcher.DispatchController, err: Error): void {
    const inner = this.inner
    if (this.responded || inner.aborted) { inner.onResponseError?.(controller, err); return }
    const failure = classifyUpstreamError(err)
    const code = (err as { code?: unknown }).code
    const failed: FailedAttempt = {
      upstream: inner.upstream,
      failure,
      errorCode: typeof code === 'string' ? code : undefined,
      durationMs: performance.now() - inner.attemptStartedAt,
    }
    if (failure === 'reset' && !this.reconnected) {
      this.reconnected = true
      inner.redispatch(inner.upstream, this, undefined)
      return
    }
    const elsewhere = this.policy?.retryTarget(failed, inner.method)
    if (elsewhere !== undefined) { inner.redispatch(elsewhere, this, failed); return }
    inner.onResponseError?.(controller, err)
  }
}
