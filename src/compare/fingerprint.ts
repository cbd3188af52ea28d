/**
 * A compact fingerprint of one normalized primary response: grouping path → short hash of all
 * values found under that path (status, each compared header, each JSON leaf, or the body).
 * Without a secondary, two fingerprints of the same repeated request tell which fields the
 * primary itself changes between calls; the main-thread noise model keeps the last one per
 * request key. Bounded: responses with more than `maxPaths` grouping paths, or more than
 * `maxBytes` decoded bytes, get no fingerprint.
 */
import { createHash } from 'node:crypto'
import { formatPath } from './jsonpath.js'
import type { PreparedSide } from './comparators/context.js'

export type Fingerprint = Record<string, string>

export const DEFAULT_FINGERPRINT_PATHS = 256

function shortHash (s: string): string {
  return createHash('sha1').update(s).digest('base64').slice(0, 12)
}

/** Bodies above this many decoded bytes get no fingerprint: repeats of huge bodies are rare and costly to track. */
export const DEFAULT_FINGERPRINT_BYTES = 256 * 1024

export function fingerprint (side: PreparedSide, maxPaths = DEFAULT_FINGERPRINT_PATHS, maxBytes = DEFAULT_FINGERPRINT_BYTES): Fingerprint | undefined {
  if (side.bytes.length > maxBytes) return undefined
  const parts = new Map<string, string[]>()
  const add = (path: string, v: string): void => {
    const list = parts.get(path)
    if (list) list.push(v)
    else parts.set(path, [v])
  }
  add('status', String(side.status))
  for (const [name, value] of Object.entries(side.headers)) add(`header:${name}`, value)
  if (side.body.kind === 'json') {
    let tooMany = false
    // `path` is the grouping path of `v`, built by concatenation (one formatPath per key, not per leaf).
    const walk = (v: unknown, path: string): void => {
      if (tooMany) return
      if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) {
        if (Array.isArray(v)) {
          const child = path + '[*]'
          for (const item of v) walk(item, child)
        } else {
          for (const [k, item] of Object.entries(v)) walk(item, path + formatPath([k], true).slice(1))
        }
        return
      }
      add(path, JSON.stringify(v))
      tooMany = parts.size > maxPaths
    }
    walk(side.json, '$')
    if (tooMany) return undefined
  } else {
    add('body', side.body.kind === 'binary' ? side.body.sha256 : side.body.text)
  }
  const out: Fingerprint = {}
  for (const [path, values] of parts) out[path] = shortHash(values.join('\u0000'))
  return out
}

/** Grouping paths whose values differ between two fingerprints (present in only one counts). */
export function changedPaths (a: Fingerprint, b: Fingerprint): string[] {
  const out: string[] = []
  for (const k of Object.keys(a)) if (a[k] !== b[k]) out.push(k)
  for (const k of Object.keys(b)) if (!(k in a)) out.push(k)
  return out
}
