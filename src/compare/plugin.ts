/**
 * The public interface of custom comparators (docs/comparators.md, "Custom comparators"),
 * re-exported from the package index, and the loader that imports them. A custom comparator is
 * a JS module (or TS when the process runs with a TypeScript loader) whose default export is
 * `{ name, compare }`.
 * It runs in the comparison workers, after the built-ins listed before it in the route's chain.
 */
import { stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FieldDiff } from './types.js'

export type { FieldDiff } from './types.js'

/** One side as a comparator sees it, after decoding and normalization. */
export interface ComparatorSide {
  status: number
  /** The compared headers only (route include/exclude and default ignores applied), lower-case names. */
  headers: Record<string, string>
  /** Decoded text for JSON and text bodies; the decoded bytes for binary bodies. */
  body: string | Uint8Array
  /** The normalized JSON value when the body is JSON. */
  json?: unknown
}

export interface ComparatorExchange {
  route: string
  /** Secret header values (authorization, cookie, route `redact:` names) are replaced by "[redacted]". */
  request: { method: string, path: string, headers: Record<string, string | string[]> }
  primary: ComparatorSide
  candidate: ComparatorSide
  /** Differences found by the comparators that ran before this one. */
  fields: readonly FieldDiff[]
}

/** `'continue'` passes to the next comparator; a decision ends the chain with its fields (default: the current ones). */
export type ComparatorDecision = 'continue' | { verdict: 'match' | 'mismatch', fields?: FieldDiff[] }

export interface Comparator {
  name: string
  compare (exchange: ComparatorExchange): ComparatorDecision | Promise<ComparatorDecision>
}

/** True for entries of `comparators:` that name a module rather than a built-in. */
export function isModuleRef (entry: string): boolean {
  return entry.includes('/') || entry.includes('\\') || /\.(c|m)?(j|t)s$/.test(entry)
}

/** Import a comparator module; relative paths resolve against the config file's directory. */
export async function loadComparator (entry: string, configDir: string): Promise<Comparator> {
  const file = isAbsolute(entry) ? entry : resolve(configDir, entry)
  // ESM modules are cached by URL for the life of the process; the file's mtime in the query
  // makes a config reload pick up an edited comparator (an unchanged file is reused).
  const { mtimeMs } = await stat(file)
  const mod = await import(`${pathToFileURL(file).href}?mtime=${mtimeMs}`) as { default?: unknown }
  const c = mod.default as Partial<Comparator> | undefined
  if (!c || typeof c !== 'object' || typeof c.name !== 'string' || typeof c.compare !== 'function') {
    throw new TypeError(`comparator ${file} must default-export { name: string, compare(exchange) }`)
  }
  return c as Comparator
}
