/**
 * A mismatch's raw body for its sample: the decoded text as the service sent it (content-coding
 * removed, before normalization), redacted, then cut to `RAW_BODY_CAP` bytes. A JSON body is
 * parsed again (the comparison's parse was normalized in place), redacted by the route's paths
 * and re-serialized pretty-printed; any text, JSON included, then has the secret header values
 * of the exchange scrubbed out (a service may echo the request's credentials). Built on the
 * comparison thread, where the body is already decoded, and only for mismatches.
 */
import { redactJson, scrubText } from '../logging/redact.js'
import type { DecodedBody } from './decode.js'
import type { RawBody } from './types.js'

/** Bytes of raw text kept per side; the sample says when the body was cut. */
export const RAW_BODY_CAP = 64 * 1024

export interface RawRedaction {
  /** The route's redact JSONPaths. */
  paths: readonly string[]
  /** From `secretHeaderValues`: the request's and both responses' secret header values. */
  secrets: readonly string[]
}

/**
 * `body` decoded from `bytes`; bodies over `maxBytes` (the sample cap of the normalized side)
 * are not parsed again, only measured.
 */
export function rawBody (body: DecodedBody, bytes: Uint8Array, maxBytes: number, red: RawRedaction, cap = RAW_BODY_CAP): RawBody {
  const length = bytes.length
  if (length > maxBytes) return { omitted: 'larger than the sample cap', length }
  if (body.kind === 'binary') return { omitted: 'binary', length }
  const text = scrubText(body.kind === 'json' ? pretty(body.text, red.paths) : body.text, red.secrets)
  if (Buffer.byteLength(text) <= cap) return { text, length }
  // Cut on a byte boundary; a character split there decodes to U+FFFD, which is dropped.
  return { text: Buffer.from(text).subarray(0, cap).toString('utf8').replace(/\uFFFD$/, ''), length, truncated: true }
}

/** `text` parsed once already (decode.ts classified it as JSON), so it parses again. */
function pretty (text: string, paths: readonly string[]): string {
  return JSON.stringify(redactJson(JSON.parse(text), paths), null, 2)
}
