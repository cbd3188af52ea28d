/**
 * What forwarding tells the rest of shadowfig about one client request, once it is over: a
 * read-only record handed to every observer (route metrics, the split guard, a mirror session).
 * Observers never reach into the forwarding machinery; the record is all they get.
 */
import type { CapturedResponse } from '../http/captured.js'
import type { UpstreamFailure } from '../http/failure.js'
import type { Upstream } from './upstreams.js'

/**
 * How the exchange with the client ended.
 * - `complete`: the upstream's response reached the client in full;
 * - `failed`: the upstream failed (the client got a 502/504, or a cut connection when the
 *   response had already started);
 * - `client_gone`: the client closed its connection before the response was complete;
 * - `answered_by_proxy`: the proxy answered the client itself mid-request (a chunked body
 *   over the route limit gets 413) and aborted the upstream request.
 */
export type ForwardEnd = 'complete' | 'failed' | 'client_gone' | 'answered_by_proxy'

/** Why a Forward was aborted from the client side. */
export type AbortReason = 'client_gone' | 'answered_by_proxy'

/** An upstream attempt that failed before any response byte and was retried on another upstream. */
export interface FailedAttempt {
  readonly upstream: Upstream
  readonly failure: UpstreamFailure
  /** The raw undici/errno code, when known (e.g. UND_ERR_CONNECT_TIMEOUT). */
  readonly errorCode: string | undefined
  readonly durationMs: number
}

export interface ForwardOutcome {
  readonly method: string
  /** Request target as dispatched (origin-form, before the upstream's base path). */
  readonly target: string
  readonly hasBody: boolean
  readonly end: ForwardEnd
  /** The upstream of the last attempt: the one that served the client (or failed it). */
  readonly upstream: Upstream
  /** The upstream's status; 0 when no response head arrived. */
  readonly status: number
  /** Set when the last attempt failed. */
  readonly failure: UpstreamFailure | undefined
  readonly errorCode: string | undefined
  /** The last attempt's time, dispatch to last byte (or failure), in milliseconds. */
  readonly durationMs: number
  /** The status the client was answered with (0 when it got none: a cut connection). */
  readonly clientStatus: number
  /** Attempts before the last one that were retried on another upstream (split failover). */
  readonly retried: readonly FailedAttempt[]
  /** The response as captured for comparison, when the request is mirrored. */
  readonly response: CapturedResponse | undefined
}

export interface ForwardObserver {
  /** Called once per client request, when it is over. Must not throw. */
  onForwardEnd (outcome: ForwardOutcome): void
}
