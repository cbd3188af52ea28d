/** What a node:http `clientError` (parser error or timeout on a client connection) means. */
import type { RejectReason } from './rejections.js'

/** Parser error codes whose cause is message framing (RFC 9112 §6): the smuggling family. */
const FRAMING_ERRORS = new Set([
  'HPE_INVALID_TRANSFER_ENCODING', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_CONTENT_LENGTH',
  'HPE_INVALID_CHUNK_SIZE', 'HPE_CR_EXPECTED', 'HPE_LF_EXPECTED', 'HPE_STRICT',
])

/** Socket errors that mean the client left; nothing to answer, nothing to count. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'])

export interface ClientErrorInfo {
  code?: string
  rawPacket?: Buffer
  bytesParsed?: number
}

/**
 * The reason for a node:http `clientError`, or undefined when the client just went away.
 * `headComplete` is true when the request's head had been parsed (a response object exists).
 */
export function classifyClientError (err: ClientErrorInfo, headComplete: boolean): RejectReason | undefined {
  const code = err.code ?? ''
  if (CLIENT_GONE.has(code)) return undefined
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return headComplete ? 'request_timeout' : 'headers_timeout'
  if (code === 'HPE_HEADER_OVERFLOW') {
    // Over the parser's ceiling. When no line feed arrived yet, the request line itself is
    // what overflowed (RFC 9112 §3: 414 is the right answer for a target that long).
    const seen = err.rawPacket?.subarray(0, err.bytesParsed ?? err.rawPacket.length)
    return seen !== undefined && !seen.includes(10) ? 'uri_too_long' : 'header_too_large'
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 'body_too_large'
  if (FRAMING_ERRORS.has(code)) return 'smuggling'
  return 'bad_request'
}

