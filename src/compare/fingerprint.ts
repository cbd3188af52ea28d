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
const fixedWidth = (digest: string): string => digest.padStart(HASH_WIDTH, '0')

export const DEFAULT_FINGERPRINT_PATHS = 256

/** Bodies above this many decoded bytes get no fingerprint: repeats of huge bodies are rare and costly to track. */
export const DEFAULT_FINGERPRINT_BYTES = 256 * 1024

/**
 * One grouping path, kept from one fingerprint to the next (a worker fingerprints the same few
 * shapes over and over): its path string is built once, not per exchange, and children are found
 * by the body's own key strings (which JSON.parse interns, so lookups hash nothing new).
 *
 * The values seen under the path in the current fingerprint (`seen` is its number) are hashed
 * as they come (cyrb53's two 32-bit lanes over a type tag, the length and the characters of each
 * value): no list to keep and join, no crypto object per path. The fingerprint only ever answers
 * "did this path's values change between two calls", so a 53-bit non-cryptographic hash is
 * plenty; sha1 per path cost more than the rest of the fingerprint. The last digest is kept with
 * the lanes it came from: repeats of one request mostly hash alike, and formatting the digest
 * was a quarter of the fingerprint's cost (the bench's 2 KiB pair).
 */
interface PathNode {
  readonly path: string
  keys?: Map<string, PathNode>
  items?: PathNode
  seen: number
  h1: number
  h2: number
  lastH1: number
  lastH2: number
  lastDigest: string
}

const newNode = (path: string): PathNode => ({ path, seen: 0, h1: 0, h2: 0, lastH1: 0, lastH2: 0, lastDigest: '' })

function add (node: PathNode, tag: number, s: string): void {
  let h1 = Math.imul(node.h1 ^ tag, 2654435761)
  let h2 = Math.imul(node.h2 ^ tag, 1597334677)
  h1 = Math.imul(h1 ^ s.length, 2654435761)
  h2 = Math.imul(h2 ^ s.length, 1597334677)
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  node.h1 = h1
  node.h2 = h2
}

function digest (node: PathNode): string {
  if (node.lastDigest !== '' && node.lastH1 === node.h1 && node.lastH2 === node.h2) return node.lastDigest
  let h1 = Math.imul(node.h1 ^ (node.h1 >>> 16), 2246822507)
  h1 ^= Math.imul(node.h2 ^ (node.h2 >>> 13), 3266489909)
  let h2 = Math.imul(node.h2 ^ (node.h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  node.lastH1 = node.h1
  node.lastH2 = node.h2
  node.lastDigest = fixedWidth((4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36))
  return node.lastDigest
}

/** `.key` or `['odd key']` per object key. */
const keySegment = (k: string): string => formatPath([k], true).slice(1)

/** The paths known to this thread; dropped whole past MAX_NODES (keys from hostile bodies must not grow it forever). */
interface Tree { status: PathNode, headers: Map<string, PathNode>, body: PathNode, json: PathNode, size: number }
const MAX_NODES = 10_000
const newTree = (): Tree => ({ status: newNode('status'), headers: new Map(), body: newNode('body'), json: newNode('$'), size: 0 })
let tree = newTree()
let epoch = 0

/**
 * The packed `paths` of the last few path sequences: the same request usually yields the same
 * nodes in the same order, and then its JSON text is reused rather than built again.
 */
const recentOrders: Array<{ nodes: PathNode[], json: string }> = []

function pathsJson (nodes: readonly PathNode[]): string {
  for (const r of recentOrders) {
    if (r.nodes.length === nodes.length && r.nodes.every((n, i) => n === nodes[i])) return r.json
  }
  const json = JSON.stringify(nodes.map((n) => n.path))
  if (recentOrders.length >= 8) recentOrders.pop()
  recentOrders.unshift({ nodes: [...nodes], json })
  return json
}

const TAG = { string: 1, number: 2, boolean: 3, null: 4, empty: 5 } as const

export function fingerprint (side: PreparedSide, maxPaths = DEFAULT_FINGERPRINT_PATHS, maxBytes = DEFAULT_FINGERPRINT_BYTES): Fingerprint | undefined {
  if (side.bytes.length > maxBytes) return undefined
  if (tree.size > MAX_NODES) { tree = newTree(); recentOrders.length = 0 }
  const t = tree
  const now = ++epoch
  const order: PathNode[] = []
  /** Starts the node's hash for this fingerprint. */
  const begin = (node: PathNode): void => {
    node.seen = now
    node.h1 = 0xdeadbeef
    node.h2 = 0x41c6ce57
    order.push(node)
  }
  /** `begin` on first use in this fingerprint; false past `maxPaths`. */
  const start = (node: PathNode): boolean => {
    if (node.seen === now) return true
    if (order.length >= maxPaths) return false // unbounded fingerprints of wide bodies: none rather than huge
    begin(node)
    return true
  }
  begin(t.status)
  add(t.status, TAG.number, String(side.status))
  for (const name in side.headers) {
    let h = t.headers.get(name)
    if (h === undefined) { t.headers.set(name, h = newNode(`header:${name}`)); t.size++ }
    begin(h)
    add(h, TAG.string, side.headers[name] as string)
  }
  if (side.body.kind === 'json') {
    const walk = (v: unknown, node: PathNode): boolean => {
      if (v !== null && typeof v === 'object') {
        let empty = true
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            empty = false
            let items = node.items
            if (items === undefined) { node.items = items = newNode(node.path + '[*]'); t.size++ }
            if (!walk(v[i], items)) return false
          }
        } else {
          for (const k in v) {
            empty = false
            const keys = node.keys ??= new Map<string, PathNode>()
            let child = keys.get(k)
            if (child === undefined) { keys.set(k, child = newNode(node.path + keySegment(k))); t.size++ }
            if (!walk((v as Record<string, unknown>)[k], child)) return false
          }
        }
        if (!empty) return true
      }
      if (!start(node)) return false
      if (typeof v === 'string') add(node, TAG.string, v)
      else if (typeof v === 'number') add(node, TAG.number, String(v))
      else if (typeof v === 'boolean') add(node, TAG.boolean, v ? 't' : 'f')
      else if (v === null) add(node, TAG.null, '')
      else add(node, TAG.empty, Array.isArray(v) ? '[]' : '{}')
      return true
    }
    if (!walk(side.json, t.json)) return undefined
  } else if (side.body.kind !== 'unread') {
    begin(t.body)
    add(t.body, TAG.string, side.body.kind === 'binary' ? side.body.sha256 : side.body.text)
  } // an unread body (the chain compares none) cannot differ on the candidate: no reference needed
  let hashes = ''
  for (const n of order) hashes += digest(n)
  return { paths: pathsJson(order), hashes }
}

/** The packed layout from paths and digests (`fingerprint` builds the same, fingerprintEntries reads it back). */
function pack (paths: readonly string[], digests: readonly string[]): Fingerprint {
  return { paths: JSON.stringify(paths), hashes: digests.map(fixedWidth).join('') }
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
