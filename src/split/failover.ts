/**
 * Failover rule for split requests: when the candidate could not serve a request that the
 * split sent it, may the proxy replay that request on the primary?
 *
 * Only when replaying cannot apply a change twice. That needs all three:
 * - a safe method (GET, HEAD, OPTIONS; RFC 9110 §9.2.1). PUT and DELETE are idempotent by
 *   RFC 9110 §9.2.2, but during a migration the candidate and the monolith are two systems of
 *   record: a PUT the candidate applied and then failed to answer would be applied again on the
 *   monolith, diverging the two stores. We decide conservatively and never replay them.
 * - no request body bytes sent to the candidate (we could not replay a consumed stream anyway).
 * - the failure happened before the candidate could have processed the request: the
 *   connection was refused or did not open in time (`connect`; the proxy maps undici's
 *   UND_ERR_CONNECT_TIMEOUT to `connect`). A response `timeout`, a `reset` or a `protocol`
 *   error mean the candidate may have done the work, so the client gets the 502/504.
 */

export type CandidateFailure = 'connect' | 'timeout' | 'reset' | 'protocol'

const REPLAYABLE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

export function canRetryOnPrimary (method: string, bodySent: boolean, error: CandidateFailure): boolean {
  return error === 'connect' && !bodySent && REPLAYABLE_METHODS.has(method.toUpperCase())
}
