/**
 * The one writer of answers the proxy gives itself (never an upstream's): a small JSON body of
 * the project's one error shape (`errorBody`, src/errors.ts) on a live response, or a raw
 * bodiless response on a socket whose parser is gone. Both carry `x-shadowfig-error: CODE`.
 */
import type { ServerResponse } from 'node:http'
import { ERROR_CODES, errorBody, type ErrorCode } from '../errors.js'
import { REJECTIONS, type RejectReason, type Rejection } from './rejections.js'

export interface ErrorAnswer {
  /** Shared with the mirrors and the upstream (`x-shadowfig-request-id`), when there is one. */
  requestId?: string
  /** The rejection reason (docs/limits.md), for refusals counted in shadowfig_rejected_total. */
  reason?: RejectReason
  /** Extra response headers (e.g. retry-after). */
  headers?: Record<string, string>
}

/** Answers with the code's status and JSON body; a response already started is cut instead. */
export function sendError (res: ServerResponse, code: ErrorCode, answer: ErrorAnswer = {}): void {
  if (res.headersSent) { res.destroy(); return }
  const body = JSON.stringify(errorBody(code, ERROR_CODES[code].description, { reason: answer.reason, requestId: answer.requestId }))
  res.writeHead(ERROR_CODES[code].status, {
    ...answer.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-shadowfig-error': code,
  })
  res.end(body)
}

/**
 * A refusal (docs/limits.md). The connection closes after it: whatever the client sent next
 * was not read. Only for a response not started yet.
 */
export function sendRejection (res: ServerResponse, reason: RejectReason, headers?: Record<string, string>): void {
  res.shouldKeepAlive = false
  sendError(res, REJECTIONS[reason].code, { reason, headers })
}

/** A minimal response written straight to a socket (the parser is gone, no ServerResponse). */
export function rawResponse (reason: RejectReason | Rejection, extra = ''): string {
  const r = typeof reason === 'string' ? REJECTIONS[reason] : reason
  return `HTTP/1.1 ${r.status} ${r.text}\r\nconnection: close\r\ncontent-length: 0\r\ncache-control: no-store\r\nx-shadowfig-error: ${r.code}\r\n${extra}\r\n`
}
