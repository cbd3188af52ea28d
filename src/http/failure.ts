/**
 * Maps what undici and the socket layer throw to the four failure kinds the rest of
 * shadowfig reasons about, and those to the client-facing error codes. The one
 * classification for the proxy's forwards, the mirrors, split failover and `shadowfig
 * replay`, so one failure has one name everywhere (metric labels, `candidate_error`
 * reasons, capture files).
 * Connect timeouts count as timeouts (504), as in nginx: the upstream exists but is not answering.
 */
import type { ErrorCode } from '../errors.js'

const CONNECT_ERRNO = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ECONNABORTED'])
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED'])

/** Why an upstream gave no (complete) response. Stable strings. */
export type UpstreamFailure = 'connect' | 'timeout' | 'reset' | 'protocol'

export function classifyUpstreamError (err: unknown): UpstreamFailure {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string') {
    if (TIMEOUT_CODES.has(code)) return 'timeout'
    if (code === 'SHADOWFIG_ERR_MIRROR_TIMEOUT') return 'timeout' // the mirror's own timer (src/errors.ts MirrorTimeoutError)
    if (CONNECT_ERRNO.has(code)) return 'connect'
    if (RESET_CODES.has(code)) return 'reset'
  }
  // llhttp parse errors (HPE_*), content-length mismatches, a header Node refuses to relay
  // (SHADOWFIG_ERR_UPSTREAM_PROTOCOL, proxy/forward.ts).
  return 'protocol'
}

export const FAILURE_ERROR_CODE: Record<UpstreamFailure, ErrorCode> = {
  connect: 'SHADOWFIG_ERR_UPSTREAM_CONNECT',
  timeout: 'SHADOWFIG_ERR_UPSTREAM_TIMEOUT',
  reset: 'SHADOWFIG_ERR_UPSTREAM_RESET',
  protocol: 'SHADOWFIG_ERR_UPSTREAM_PROTOCOL',
}
