/**
 * Undoing `content-encoding` (RFC 9110 §8.4) on a captured body: gzip / x-gzip, deflate (zlib
 * or raw), br and identity, stacked codings included. Everything runs under an output cap, so
 * a decompression bomb costs at most `maxOutput` bytes. Used wherever a body must be read
 * after the client already got the raw bytes: the comparison and the capture's redaction.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib'

/**
 * The decoded bytes of `raw`, sent with `content-encoding: encoding` (absent: `raw` itself).
 * Throws on an unknown coding or corrupt data; over the cap zlib throws a RangeError with
 * code ERR_BUFFER_TOO_LARGE.
 */
export function undoContentCoding (encoding: string | undefined, raw: Uint8Array, maxOutput: number): Uint8Array {
  if (!encoding) return raw
  // Codings are listed in the order they were applied (RFC 9110 §8.4), so undo them backwards.
  const codings = encoding.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).reverse()
  let buf: Uint8Array = raw
  for (const c of codings) {
    const opts = { maxOutputLength: maxOutput }
    if (c === 'gzip' || c === 'x-gzip') buf = gunzipSync(buf, opts)
    else if (c === 'deflate') buf = inflateDeflate(buf, maxOutput)
    else if (c === 'br') buf = brotliDecompressSync(buf, opts)
    else if (c !== 'identity') throw new Error(`unsupported content-encoding ${c}`)
  }
  return buf
}

/** "deflate" is meant to be zlib-wrapped, but some servers send raw deflate; accept both. */
function inflateDeflate (buf: Uint8Array, maxOutput: number): Uint8Array {
  const cmf = buf[0]
  const looksZlib = buf.length >= 2 && (cmf & 0x0f) === 8 && ((cmf << 8) | buf[1]) % 31 === 0
  return looksZlib ? inflateSync(buf, { maxOutputLength: maxOutput }) : inflateRawSync(buf, { maxOutputLength: maxOutput })
}
