/**
 * A compact fingerprint of one normalized primary response: grouping path → short hash of all
 * values found under that path (status, each compared header, each JSON leaf, or the body).
 * Without a secondary, two fingerprints of the same repeated request tell which fields the
 * primary itself changes between calls; the main-thread noise model keeps the last one per
 * request key. Bounded: responses with more than `maxPaths` grouping paths, or more than
 * `maxBytes` decoded bytes, get no fingerprint.
 */
import { formatPath } from './jsonpath.js'
import type { PreparedSide } from './comparators/context.js'

/**
 * Packed for the trip from the worker: two strings instead of an object of 2 × paths strings
 * (measured: per-exchange result objects coming back from the worker were half of what the
 * client-serving thread's scavenges had to copy). `paths` is the JSON array of grouping paths,
 * `hashes` their digests at HASH_WIDTH characters each, in the same order. The same request
 * usually yields the same paths, so comparing two fingerprints is mostly two string equalities.
 */
export interface Fingerprint { paths: string, hashes: string }

const HASH_WIDTH = 11 // a 53-bit number in base 36

export const DEFAULT_FINGERPRINT_PATHS = 256

/** Bodies above this many decoded bytes get no fingerprint: repeats of huge bodies are rare and costly to track. */
export const DEFAULT_FINGERPRINT_BYTES = 256 * 1024

/**
 * The values seen under one grouping path, hashed as they come (cyrb53's two 32-bit lanes over
 * a type tag, the length and the characters of each value): no list to keep and join, no
 * crypto object per path. The fingerprint only ever answers "did this path's values change
 * between two calls", so a 53-bit non-cryptographic hash is plenty; sha1 per path cost more
 * than the rest of the fingerprint.
 */
class PathHash {
  private h1 = 0xdeadbeef
  private h2 = 0x41c6ce57
  constructor (readonly path: string) {}

  add (tag: number, s: string): void {
    let h1 = Math.imul(this.h1 ^ tag, 2654435761)
    let h2 = Math.imul(this.h2 ^ tag, 1597334677)
    h1 = Math.imul(h1 ^ s.length, 2654435761)
    h2 = Math.imul(h2 ^ s.length, 1597334677)
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i)
      h1 = Math.imul(h1 ^ ch, 2654435761)
      h2 = Math.imul(h2 ^ ch, 1597334677)
    }
    this.h1 = h1
    this.h2 = h2
  }

  digest (): string {
    let h1 = Math.imul(this.h1 ^ (this.h1 >>> 16), 2246822507)
    h1 ^= Math.imul(this.h2 ^ (this.h2 >>> 13), 3266489909)
    let h2 = Math.imul(this.h2 ^ (this.h2 >>> 16), 2246822507)
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
  }
}

/** `.key` or `['odd key']` per object key, formatted once per worker, not once per leaf. */
const keySegments = new Map<string, string>()
function keySegment (k: string): string {
  let seg = keySegments.get(k)
  if (seg === undefined) {
    seg = formatPath([k], true).slice(1)
    if (keySegments.size >= 10_000) keySegments.clear() // keys from hostile bodies must not grow it forever
    keySegments.set(k, seg)
  }
  return seg
}

/**
 * One grouping path of the body being fingerprinted. Children are found by the body's own key
 * strings (which JSON.parse interns, so lookups hash nothing new), never by building the full
 * path string per leaf.
 */
interface PathNode { path: string, hash?: PathHash, keys?: Map<string, PathNode>, items?: PathNode }

const TAG = { string: 1, number: 2, boolean: 3, null: 4, empty: 5 } as const

export function fingerprint (side: PreparedSide, maxPaths = DEFAULT_FINGERPRINT_PATHS, maxBytes = DEFAULT_FINGERPRINT_BYTES): Fingerprint | undefined {
  if (side.bytes.length > maxBytes) return undefined
  const hashes: PathHash[] = []
  const leaf = (path: string): PathHash => {
    const h = new PathHash(path)
    hashes.push(h)
    return h
  }
  leaf('status').add(TAG.number, String(side.status))
  for (const name in side.headers) leaf(`header:${name}`).add(TAG.string, side.headers[name] as string)
  if (side.body.kind === 'json') {
    const walk = (v: unknown, node: PathNode): boolean => {
      if (v !== null && typeof v === 'object') {
        let empty = true
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            empty = false
            if (!walk(v[i], node.items ??= { path: node.path + '[*]' })) return false
          }
        } else {
          for (const k in v) {
            empty = false
            const keys = node.keys ??= new Map<string, PathNode>()
            let child = keys.get(k)
            if (child === undefined) { child = { path: node.path + keySegment(k) }; keys.set(k, child) }
            if (!walk((v as Record<string, unknown>)[k], child)) return false
          }
        }
        if (!empty) return true
      }
      if (node.hash === undefined) {
        if (hashes.length >= maxPaths) return false // unbounded fingerprints of wide bodies: none rather than huge
        node.hash = leaf(node.path)
      }
      if (typeof v === 'string') node.hash.add(TAG.string, v)
      else if (typeof v === 'number') node.hash.add(TAG.number, String(v))
      else if (typeof v === 'boolean') node.hash.add(TAG.boolean, v ? 't' : 'f')
      else if (v === null) node.hash.add(TAG.null, '')
      else node.hash.add(TAG.empty, Array.isArray(v) ? '[]' : '{}')
      return true
    }
    if (!walk(side.json, { path: '$' })) return undefined
  } else if (side.body.kind !== 'unread') {
    leaf('body').add(TAG.string, side.body.kind === 'binary' ? side.body.sha256 : side.body.text)
  } // an unread body (the chain compares none) cannot differ on the candidate: no reference needed
  return pack(hashes.map((h) => h.path), hashes.map((h) => h.digest()))
}

/** The one place that knows the packed layout (fingerprintEntries reads it back). */
function pack (paths: readonly string[], digests: readonly string[]): Fingerprint {
  return { paths: JSON.stringify(paths), hashes: digests.map((d) => d.padStart(HASH_WIDTH, '0')).join('') }
}

/** A fingerprint from grouping path → digest (at most HASH_WIDTH characters). */
export function packFingerprint (entries: Record<string, string>): Fingerprint {
  return pack(Object.keys(entries), Object.values(entries))
}

/** Grouping path → digest. */
export function fingerprintEntries (fp: Fingerprint): Map<string, string> {
  const paths = JSON.parse(fp.paths) as string[]
  const out = new Map<string, string>()
  for (let i = 0; i < paths.length; i++) out.set(paths[i] as string, fp.hashes.slice(i * HASH_WIDTH, (i + 1) * HASH_WIDTH))
  return out
}

/** Grouping paths whose values differ between two fingerprints (present in only one counts). */
export function changedPaths (a: Fingerprint, b: Fingerprint): string[] {
  if (a.hashes === b.hashes && a.paths === b.paths) return []
  const x = fingerprintEntries(a)
  const y = fingerprintEntries(b)
  const out: string[] = []
  for (const [k, v] of x) if (y.get(k) !== v) out.push(k)
  for (const k of y.keys()) if (!x.has(k)) out.push(k)
  return out
}
