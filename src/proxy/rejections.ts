/**
 * Every way the proxy refuses a client request or connection: one reason, one status, one
 * error code each (docs/limits.md). A client that simply went away (ECONNRESET) is not a
 * rejection and is not counted.
 */
import type { ErrorCode } from '../errors.js'

export type RejectReason =
  | 'header_too_large' | 'too_many_headers' | 'uri_too_long' | 'headers_timeout'
  | 'request_timeout' | 'body_too_large' | 'max_connections' | 'bad_request' | 'smuggling' | 'transfer_coding'

export interface Rejection { status: number, text: string, code: ErrorCode }

export const REJECTIONS: Readonly<Record<RejectReason, Rejection>> = {
  header_too_large: { status: 431, text: 'Request Header Fields Too Large', code: 'SHADOWFIG_ERR_HEADERS_TOO_LARGE' },
  too_many_headers: { status: 431, text: 'Request Header Fields Too Large', code: 'SHADOWFIG_ERR_HEADERS_TOO_LARGE' },
  uri_too_long: { status: 414, text: 'URI Too Long', code: 'SHADOWFIG_ERR_URI_TOO_LONG' },
  headers_timeout: { status: 408, text: 'Request Timeout', code: 'SHADOWFIG_ERR_REQUEST_TIMEOUT' },
  request_timeout: { status: 408, text: 'Request Timeout', code: 'SHADOWFIG_ERR_REQUEST_TIMEOUT' },
  body_too_large: { status: 413, text: 'Content Too Large', code: 'SHADOWFIG_ERR_BODY_TOO_LARGE' },
  max_connections: { status: 503, text: 'Service Unavailable', code: 'SHADOWFIG_ERR_OVERLOADED' },
  bad_request: { status: 400, text: 'Bad Request', code: 'SHADOWFIG_ERR_BAD_REQUEST' },
  smuggling: { status: 400, text: 'Bad Request', code: 'SHADOWFIG_ERR_BAD_REQUEST' },
  transfer_coding: { status: 501, text: 'Not Implemented', code: 'SHADOWFIG_ERR_NOT_IMPLEMENTED' },
}

export const REJECT_REASONS = Object.keys(REJECTIONS) as RejectReason[]

