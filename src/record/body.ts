/**
 * Turns one captured body into what a capture file may hold. With no JSON redact paths the
 * bytes are kept as they are (base64). With redact paths, a JSON body is decoded (by the
 * comparison's decoder, src/http/content-coding.ts), parsed, redacted and re-serialized; the stored headers then drop
 * `content-encoding`/`content-length`, which no longer describe the stored bytes. A body that
 * looks like JSON but cannot be parsed whole (truncated at the cap, corrupt, undecodable) is
 * left out with a reason instead: keeping it could leak a value that should be redacted.
 */
import { undoContentCoding } from '../http/content-coding.js'
import { headerValue, type HeaderMap } from '../http/headers.js'
import { redactJson } from '../logging/redact.js'

export interface StoredBody {
  headers: HeaderMap
  bodyBase64?: string
  bodyOmitted?: string
}

/** Decompressed bodies larger than this are not redacted but left out (zip-bomb guard). */
const MAX_DECODED = 16 * 1024 * 1024

function looksLikeJson (bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue
    return b === 0x7b || b === 0x5b // { or [
  }
  return false
}

function withoutEntityHeaders (headers: HeaderMap): HeaderMap {
  const { 'content-encoding': _e, 'content-length': _l, ...rest } = headers
  return rest
}

export function storeBody (headers: HeaderMap, body: Uint8Array, truncated: boolean, jsonPaths: readonly string[]): StoredBody {
  const raw = (): StoredBody => ({ headers, bodyBase64: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64') })
  if (jsonPaths.length === 0 || body.byteLength === 0) return raw()
  const jsonType = /json/i.test(headerValue(headers, 'content-type') ?? '')
  const encoding = (headerValue(headers, 'content-encoding') ?? 'identity').trim().toLowerCase()
  const encoded = encoding !== 'identity' && encoding !== ''
  // A compressed body of another type cannot hold a JSON path; an uncompressed one is JSON
  // if it says so or starts like it (upstreams often forget the content-type).
  if (encoded ? !jsonType : !jsonType && !looksLikeJson(body)) return raw()
  if (truncated) return { headers, bodyOmitted: 'truncated_json' }
  let text: string
  try {
    text = Buffer.from(encoded ? undoContentCoding(encoding, body, MAX_DECODED) : body).toString('utf8')
  } catch {
    return { headers, bodyOmitted: 'undecodable' }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { headers, bodyOmitted: 'unparsable_json' }
  }
  const redacted = Buffer.from(JSON.stringify(redactJson(value, jsonPaths)), 'utf8')
  return { headers: withoutEntityHeaders(headers), bodyBase64: redacted.toString('base64') }
}
