/**
 * The one small interface between the proxy/shadow side and the comparison side.
 * The shadow dispatcher builds an `Exchange` once both (or all three) responses are complete
 * and hands it to an `ExchangeSink`. Bodies are raw bytes exactly as received (still
 * content-encoded), capped; decoding happens only on the comparison side, off the client loop.
 */

import type { CapturedResponse } from '../http/captured.js'
import type { HeaderMap } from '../http/headers.js'

export interface CapturedRequest {
  method: string
  /** Path and query as the client sent it (before any shadow rewrite). */
  path: string
  headers: HeaderMap
  /** The request body as mirrored (only when the route mirrors writes and the body fit the cap). */
  body?: Uint8Array
}

export interface Exchange {
  /** Shared by the primary request and its mirror(s): `x-shadowfig-request-id`. */
  id: string
  route: string
  /** Epoch milliseconds when the client request arrived. */
  startedAt: number
  request: CapturedRequest
  primary: CapturedResponse
  candidate: CapturedResponse
  secondary?: CapturedResponse
  /** W3C trace id from `traceparent`, when the client sent one. */
  traceId?: string
}

/** Where finished exchanges go. Must return quickly and never throw into the proxy. */
export interface ExchangeSink {
  submit (exchange: Exchange): void
  /**
   * How many more exchanges it can take now (the comparison queue's free places); absent:
   * unbounded. Asked before each mirror: when the exchanges already on their way fill it, the
   * request is not mirrored at all and counts as `saturated`.
   */
  room? (): number
}
