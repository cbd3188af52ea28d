/**
 * Failover rule for split requests: when the candidate could not serve a request that the
 * split sent it, may the proxy replay that request on the primary?
 *
 * Only when replaying cannot apply a change twice. That needs all three:
 * - a retryable method (GET, HEAD, OPTIONS: src/http/methods.ts). PUT and DELETE are idempotent by
 *   RFC 9110 §9.2.2, but during a migration the candidate and the monolith are two systems of
 *   record: a PUT the candidate applied and then failed to answer would be applied again on the
 *   monolith, diverging the two stores. We decide conservatively and never replay them.
 * - no request body bytes sent to the candidate (we could not replay a consumed stream anyway).
 * - the failure happened before the candidate could have processed the request: the
 *   connection was refused (`connect`) or did not open in time. src/http/failure.ts
 *   classifies a connect timeout as `timeout` (504, as nginx does), so pass the raw error code:
 *   `timeout` with UND_ERR_CONNECT_TIMEOUT is replayable. A response `timeout`, a `reset` or a
 *   `protocol` error mean the candidate may have done the work, so the client gets the 502/504.
 */

import type { UpstreamFailure } from '../http/failure.js'
import { RETRYABLE_METHODS } from '../http/methods.js'

/** `code`: the undici/errno code of the failure when known (e.g. UND_ERR_CONNECT_TIMEOUT). */
export function canRetryOnPrimary (method: string, bodySent: boolean, error: UpstreamFailure, code?: string): boolean {
  const beforeProcessing = error === 'connect' || (error === 'timeout' && code === 'UND_ERR_CONNECT_TIMEOUT')
  return beforeProcessing && !bodySent && RETRYABLE_METHODS.has(method.toUpperCase())
}
