/**
 * One upstream response as the proxy captured it for comparison: status, headers, raw body
 * bytes (still content-encoded, capped), time, and the failure when there was no complete
 * response. The primary's is captured by the forwarding path (proxy/), the mirrors' by the
 * shadow side; both hand it on unchanged.
 */
import type { UpstreamFailure } from './failure.js'
import type { HeaderMap } from './headers.js'

export interface CapturedResponse {
  status: number
  /** Lower-cased header names, repeated headers as arrays. */
  headers: HeaderMap
  /** Raw bytes as received, at most the route's `compare.maxBodySize`. */
  body: Uint8Array
  /** True when the body was longer than the cap; `body` then holds only its start. */
  truncated: boolean
  /** Headers-to-last-byte time measured by the proxy, in milliseconds. */
  durationMs: number
  /**
   * Set when no (complete) response arrived; `status` is then 0. (An open circuit sends no
   * mirror at all, so it never shows here: it is a mirror outcome, `circuit_open`.)
   */
  failure?: UpstreamFailure
  failureMessage?: string
}
