/**
 * Checks on a parsed request head that llhttp does not make (docs/limits.md): HTTP/0.9, URL
 * length, dot segments, header count and size, Host and Transfer-Encoding rules.
 */
import type { IncomingMessage } from 'node:http'
import type { ClientLimits } from './limits.js'
import type { RejectReason } from './rejections.js'

/** Bytes of a head as counted against maxHeaderSize: each line is name + ": " + value + CRLF. */
function headBytes (raw: readonly string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i++) n += raw[i].length + 2
  return n
}

/** `.` or `..` as a whole path segment, raw or percent-encoded (%2e), before any query. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/**
 * Checks on a parsed request head that llhttp does not make. Undefined when acceptable.
 * Header names and values are already valid tokens/field-content (the parser is strict).
 */
export function screenRequest (req: IncomingMessage, l: ClientLimits): RejectReason | undefined {
  const raw = req.rawHeaders
  // llhttp takes `GET /` without a version as HTTP/0.9; nothing upstream should see that.
  if (req.httpVersionMajor !== 1) return 'bad_request'
  if ((req.url as string).length > l.maxUrlLength) return 'uri_too_long'
  // RFC 3986 §5.2.4 dot segments: `/api/../admin` would match a `/api` route here and reach
  // `/admin` on an upstream that resolves it. Browsers never send them; refuse, don't guess.
  if (DOT_SEGMENT.test(pathOf(req.url as string))) return 'bad_request'
  if (raw.length > l.maxHeaderCount * 2) return 'too_many_headers'
  if (headBytes(raw) > l.maxHeaderSize) return 'header_too_large'
  let hosts = 0
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') hosts++
  }
  // RFC 9112 §3.2: more than one Host line is a 400; picking either one would let a cache or
  // router upstream disagree with us about which site was asked for.
  if (hosts > 1) return 'smuggling'
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400 too.
  if (hosts === 0 && req.httpVersionMinor === 1) return 'bad_request'
  // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty
  // (llhttp ignores it there and the "body" would become the next request).
  const te = req.headers['transfer-encoding']
  if (te !== undefined) {
    if (req.httpVersionMinor === 0) return 'smuggling'
    // RFC 9112 §6.3 (4): chunked must be the final coding of a request, or its length is
    // unknowable. llhttp flags this only after the head was handed over, so check here first.
    if (!/(?:^|,)[ \t]*chunked[ \t]*$/i.test(te)) return 'smuggling'
    // RFC 9112 §6.1: a transfer coding the proxy does not implement is a 501. Forwarding
    // `gzip, chunked` after Node removed the chunked framing would hand the upstream gzip bytes
    // it was never told about; the proxy implements `chunked` alone.
    if (!/^[ \t]*chunked[ \t]*$/i.test(te)) return 'transfer_coding'
  }
  return undefined
}

