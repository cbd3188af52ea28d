/**
 * The per-route normalization plan, compiled once from `CompareConfig` (at config load in the
 * main thread to validate, and once per config generation in each worker). Everything the
 * hot comparison path needs is precomputed here: path matchers, masks, header filters, the
 * jsondiffpatch object hash.
 */
import stringify from 'fast-json-stable-stringify'
import type { CompareConfig } from '../config/schema.js'
import { compileRedactPaths, redactionOf, type Redaction } from '../logging/redact.js'
import { compilePath, type PathMatcher } from './jsonpath.js'
import { compileMasks, type MaskSet } from './masks.js'
import { compileScope, type Scope } from './path-scope.js'

export type ArrayMode = { key: string } | { unordered: true }

export interface Plan {
  /** JSONPaths and header names (secret ones included) whose values are never returned. */
  readonly redaction: Redaction
  readonly arrays: ReadonlyArray<{ path: PathMatcher, mode: ArrayMode }>
  /** `ignore` and `arrays` as one automaton: per location, whether it is ignored and which array rule names it. */
  readonly scope: Scope
  /** 10^precision, or undefined when numbers are compared exactly. */
  readonly roundFactor: number | undefined
  readonly masks: MaskSet
  /** True when a header (lower-case name) takes part in the comparison. */
  readonly compareHeader: (name: string) => boolean
  /** Item hash for jsondiffpatch (ruled arrays only): the key value when present, else the content. */
  readonly objectHash: (item: object, index?: number) => string
  readonly comparators: readonly string[]
  readonly maxBodySize: number
}

/** Never compared unless a route includes them explicitly: they differ on every response. */
export const DEFAULT_IGNORED_HEADERS: readonly string[] = [
  'date', 'server', 'etag', 'x-request-id', 'content-length', 'set-cookie', 'connection',
  'keep-alive', 'transfer-encoding', 'age', 'via', 'last-modified', 'expires', 'x-powered-by',
  'content-encoding', 'vary', 'report-to', 'nel', 'traceparent', 'tracestate',
]

/**
 * Compile a route's compare settings. Throws an ExpressionError on a bad JSONPath or regex (the
 * config loader has run the same compilers on every entry, src/config/compile.ts).
 */
export function compilePlan (cfg: CompareConfig): Plan {
  const redaction = redactionOf(cfg.redact)
  compileRedactPaths(redaction.paths) // validated now, not on the first mismatch
  const arrays = Object.entries(cfg.arrays).map(([p, mode]) => ({ path: compilePath(p), mode: mode as ArrayMode }))
  const keyNames = [...new Set(arrays.flatMap((a) => 'key' in a.mode ? [a.mode.key] : []))]
  const ignore = cfg.ignore.map(compilePath)
  return {
    redaction,
    arrays,
    scope: compileScope(ignore, arrays.map((a) => a.path)),
    roundFactor: cfg.numbers ? 10 ** cfg.numbers.precision : undefined,
    masks: compileMasks(cfg.masks),
    compareHeader: headerFilter(cfg.headers),
    objectHash: objectHashFor(keyNames),
    comparators: cfg.comparators,
    maxBodySize: cfg.maxBodySize,
  }
}

function headerFilter (h: CompareConfig['headers']): (name: string) => boolean {
  const exclude = new Set((h.exclude ?? []).map((n) => n.toLowerCase()))
  if (h.include) {
    const include = new Set(h.include.map((n) => n.toLowerCase()))
    return (name) => include.has(name) && !exclude.has(name)
  }
  const ignored = new Set([...DEFAULT_IGNORED_HEADERS, ...exclude])
  return (name) => !ignored.has(name) && !name.startsWith('x-shadowfig-')
}

/**
 * Items of keyed arrays match by their key, so a changed item is diffed field by field and an
 * inserted one is "added"; items without a key (and items of unordered arrays) match only an
 * identical item, which turns the LCS into a multiset difference.
 */
function objectHashFor (keyNames: readonly string[]): (item: object, index?: number) => string {
  return (item) => {
    // jsondiffpatch hashes anything typeof 'object', null and arrays included.
    if (item !== null && !Array.isArray(item)) {
      const rec = item as Record<string, unknown>
      for (const k of keyNames) {
        const v = rec[k]
        if (v !== undefined && (typeof v !== 'object' || v === null)) return `k:${k}=${typeof v}:${String(v)}`
      }
    }
    return 'c:' + stringify(item)
  }
}
