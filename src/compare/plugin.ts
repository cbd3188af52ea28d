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
import { ExpressionError } from '../errors.js'
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

/** The file a module entry names: relative paths resolve against the config file's directory. */
export function comparatorFile (entry: string, configDir: string): string {
  return isAbsolute(entry) ? entry : resolve(configDir, entry)
}

export function missingModule (file: string): ExpressionError {
  return new ExpressionError(`comparator module not found: ${file} (paths are relative to the config file)`)
}

/** Import a comparator module; throws an ExpressionError saying what is wrong with it. */
export async function loadComparator (entry: string, configDir: string): Promise<Comparator> {
  const file = comparatorFile(entry, configDir)
  let mod: { default?: unknown }
  try {
    // ESM modules are cached by URL for the life of the process; the file's mtime in the query
    // makes a config reload pick up an edited comparator (an unchanged file is reused).
    const { mtimeMs } = await stat(file)
    mod = await import(`${pathToFileURL(file).href}?mtime=${mtimeMs}`) as { default?: unknown }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw missingModule(file)
    throw new ExpressionError(`comparator module ${file} cannot be loaded (${String((err as Error | undefined)?.message ?? err).split('\n')[0]}); it must be an ES module that default-exports { name, compare }`, { cause: err })
  }
  const c = mod.default as Partial<Comparator> | undefined
  if (!c || typeof c !== 'object' || typeof c.name !== 'string' || typeof c.compare !== 'function') {
    const found = c === undefined ? 'no default export' : c === null || typeof c !== 'object' ? `a default export of type ${c === null ? 'null' : typeof c}` : `an object with ${Object.keys(c).join(', ') || 'no keys'}`
    throw new ExpressionError(`comparator ${file} must default-export { name: string, compare(exchange) }, found ${found}; e.g. export default { name: 'money', compare (ex) { return 'continue' } }`)
  }
  return c as Comparator
}
