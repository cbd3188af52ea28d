/**
 * Request ids: 26-char ULIDs (Crockford base32: 48-bit ms time + 80 random bits), sortable
 * by time so sample lists and logs read in order. Randomness comes from a pooled buffer
 * refilled 4 KiB at a time, not one crypto call per request.
 */
import { randomFillSync } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const pool = Buffer.alloc(4096)
let offset = pool.length

export function newRequestId (now = Date.now()): string {
  if (offset + 16 > pool.length) { randomFillSync(pool); offset = 0 }
  let time = ''
  let t = now
  for (let i = 0; i < 10; i++) { time = ALPHABET[t % 32] + time; t = Math.floor(t / 32) }
  // One byte per character, low 5 bits: 16 x 5 = 80 random bits.
  let rand = ''
  for (let i = 0; i < 16; i++) rand += ALPHABET[pool[offset + i] & 31]
  offset += 16
  return time + rand
}

/** Trace id (32 hex) from a W3C `traceparent` header, or undefined when absent or malformed. */
export function traceIdOf (traceparent: string | string[] | undefined): string | undefined {
  if (typeof traceparent !== 'string') return undefined
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/.exec(traceparent.trim())
  return m && m[1] !== '00000000000000000000000000000000' ? m[1] : undefined
}
