/**
 * Decoding of captured bodies for comparison only (the client got the raw bytes long ago).
 * Content-encoding is undone by src/http/content-coding.ts under an output cap, so a
 * decompression bomb costs at most `maxOutput` bytes; text is decoded with the charset from
 * `content-type` (TextDecoder, utf-8 when absent or unknown); the body kind comes from the
 * content type, with a sniffing fallback when the type is missing or generic.
 * Binary bodies are reduced to sha256 + length: bytes are compared, never shown.
 */
import { createHash } from 'node:crypto'
import { TextDecoder } from 'node:util'
import { undoContentCoding } from '../http/content-coding.js'
import { headerValue, type HeaderMap } from '../http/headers.js'
import { charsetOf, isJsonEssence, parseMediaType } from '../http/media-type.js'

export type DecodedBody =
  | { kind: 'json', text: string, value: unknown }
  | { kind: 'text', text: string, /** The content type claimed JSON but the text does not parse. */ invalidJson?: boolean }
  | { kind: 'binary', sha256: string, length: number }

export type DecodeResult =
  | { ok: true, body: DecodedBody, bytes: Uint8Array }
  | { ok: false, reason: 'body_too_large' | 'decode_error', message: string }

/** Decode one captured body. Never throws. */
export function decodeBody (headers: HeaderMap, raw: Uint8Array, maxOutput: number): DecodeResult {
  let bytes: Uint8Array
  try {
    bytes = undoContentCoding(headerValue(headers, 'content-encoding'), raw, maxOutput)
  } catch (err) {
    const code = (err as { code?: string }).code
    // zlib reports the cap as ERR_BUFFER_TOO_LARGE (RangeError): a bomb or just a big body.
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, reason: 'body_too_large', message: 'decoded body exceeds the comparison cap' }
    return { ok: false, reason: 'decode_error', message: (err as Error).message }
  }
  return { ok: true, bytes, body: classify(headerValue(headers, 'content-type'), bytes) }
}

type ContentType = { essence: string, charset: string | undefined }

/**
 * Parsed content types and text decoders, kept per value: a route answers with one or two
 * content types, and a TextDecoder made per body was a tenth of the decoding (the bench's 2 KiB
 * pair). Bounded, since the values come from upstream headers.
 */
const MAX_CACHED = 64
const contentTypes = new Map<string, ContentType>()
const decoders = new Map<string, TextDecoder>()

function remember<T> (cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED) cache.clear()
  cache.set(key, value)
  return value
}

function parseContentType (ct: string | undefined): ContentType {
  const known = contentTypes.get(ct ?? '')
  if (known !== undefined) return known
  const t = parseMediaType(ct)
  return remember(contentTypes, ct ?? '', { essence: t.essence, charset: charsetOf(t) })
}

function kindOf (essence: string): 'json' | 'text' | 'binary' | 'sniff' {
  if (essence === '' || essence === 'application/octet-stream') return 'sniff'
  if (isJsonEssence(essence)) return 'json'
  if (essence.startsWith('text/') || essence.endsWith('+xml') || essence.endsWith('/xml') ||
    essence === 'application/javascript' || essence === 'application/x-www-form-urlencoded' ||
    essence === 'application/graphql') return 'text'
  return 'binary'
}

function decodeText (bytes: Uint8Array, charset: string | undefined, fatal: boolean): string {
  const key = `${fatal ? 'f' : 'r'}${charset ?? 'utf-8'}`
  let decoder = decoders.get(key)
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(charset ?? 'utf-8', { fatal })
    } catch {
      decoder = new TextDecoder('utf-8', { fatal }) // unknown label: utf-8 is the web's default
    }
    remember(decoders, key, decoder)
  }
  // Without `stream` a decode keeps no state for the next one: one decoder serves every body.
  return decoder.decode(bytes)
}

function tryJson (text: string): { ok: true, value: unknown } | { ok: false } {
  try { return { ok: true, value: JSON.parse(text) } } catch { return { ok: false } }
}

function binary (bytes: Uint8Array): DecodedBody {
  return { kind: 'binary', sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length }
}

function classify (contentType: string | undefined, bytes: Uint8Array): DecodedBody {
  const { essence, charset } = parseContentType(contentType)
  const kind = kindOf(essence)
  if (kind === 'binary') return binary(bytes)
  if (kind === 'json') {
    const text = decodeText(bytes, charset, false)
    const j = tryJson(text)
    return j.ok ? { kind: 'json', text, value: j.value } : { kind: 'text', text, invalidJson: true }
  }
  if (kind === 'text') return { kind: 'text', text: decodeText(bytes, charset, false) }
  return sniff(bytes, charset)
}

/** No useful content type: valid UTF-8 without NUL is text, JSON if it parses; else binary. */
function sniff (bytes: Uint8Array, charset: string | undefined): DecodedBody {
  if (bytes.includes(0)) return binary(bytes)
  let text: string
  try { text = decodeText(bytes, charset, true) } catch { return binary(bytes) }
  const first = text.trimStart()[0]
  if (first === '{' || first === '[' || first === '"') {
    const j = tryJson(text)
    if (j.ok) return { kind: 'json', text, value: j.value }
  }
  return { kind: 'text', text }
}
