/**
 * The capture file format: one JSON object per line (NDJSON), version 1. Written by
 * `CaptureWriter`, read by `shadowfig replay`. A record holds the request as the client sent
 * it and both responses as the proxy saw them, always after redaction (secret headers and the
 * route's `compare.redact` values never reach the file).
 *
 * Bodies are base64 so any bytes survive a line of JSON. A body that could not be redacted
 * safely (a compressed or truncated JSON body with redact paths configured) is left out and
 * `bodyOmitted` says why; replay never needs recorded response bodies, it fetches fresh ones.
 */
import { z } from 'zod'

export const CAPTURE_VERSION = 1

const headerMap = z.record(z.string(), z.union([z.string(), z.array(z.string())]))

const side = z.object({
  status: z.number().int().min(0).max(999),
  headers: headerMap,
  bodyBase64: z.string().optional(),
  bodyOmitted: z.string().optional(),
  truncated: z.boolean().optional(),
  failure: z.string().optional(),
})

const fieldDiff = z.object({
  path: z.string(),
  concretePath: z.string(),
  kind: z.enum(['changed', 'added', 'removed', 'type']),
  primary: z.unknown().optional(),
  candidate: z.unknown().optional(),
})

/** Loose on purpose (extra keys allowed): a newer writer may add fields an older reader ignores. */
export const captureRecordSchema = z.object({
  v: z.literal(CAPTURE_VERSION),
  id: z.string().min(1),
  time: z.number(),
  route: z.string(),
  request: z.object({
    method: z.string().regex(/^[A-Z]+$/, 'an upper-case HTTP method'),
    path: z.string().startsWith('/'),
    headers: headerMap,
    bodyBase64: z.string().optional(),
    bodyOmitted: z.string().optional(),
  }),
  primary: side,
  candidate: side,
  verdict: z.enum(['match', 'mismatch', 'noise', 'candidate_error', 'skipped']),
  reason: z.string().optional(),
  fields: z.array(fieldDiff),
})

export type CaptureRecord = z.output<typeof captureRecordSchema>
export type CaptureSide = CaptureRecord['primary']

/** Parses one line; the error message names the first offending key, for `file:line message`. */
export function parseCaptureLine (line: string): { ok: true, record: CaptureRecord } | { ok: false, message: string } {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (err) {
    return { ok: false, message: `not JSON: ${(err as Error).message}` }
  }
  const r = captureRecordSchema.safeParse(value)
  if (r.success) return { ok: true, record: r.data }
  const issue = r.error.issues[0]
  const where = issue.path.length > 0 ? issue.path.join('.') + ': ' : ''
  return { ok: false, message: `not a v${CAPTURE_VERSION} capture record: ${where}${issue.message}` }
}
