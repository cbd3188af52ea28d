/**
 * The compile step of every expression a config holds: the JSONPaths of `ignore`, `redact` and
 * `arrays`, mask patterns, `shadow.rewrite`, and `comparators` entries, each passed through the
 * very function the proxy compiles it with (compilePath, compileMasks, compileRewrite,
 * compileStep). The loader runs it, so `check`, start-up and every reload accept and refuse
 * the same files with the same messages; each refusal is an issue at the entry that holds it.
 *
 * Reads the merged raw object defensively: it runs despite schema errors, so one run shows
 * everything; a value of the wrong type is left to the schema's message.
 */
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { ExpressionError } from '../errors.js'
import { compileStep, unknownComparator } from '../compare/chain.js'
import { compilePath } from '../compare/jsonpath.js'
import { compileMasks } from '../compare/masks.js'
import { comparatorFile, isModuleRef, missingModule } from '../compare/plugin.js'
import { compileRewrite } from '../shadow/rewrite.js'
import { isPlain, type Plain } from './merge.js'
import type { CheckIssue } from './crossref.js'
import type { KeyPath } from './positions.js'

type At = (...rest: Array<string | number>) => KeyPath

const plain = (v: unknown): Plain | undefined => isPlain(v) ? v : undefined
const list = (v: unknown): unknown[] => Array.isArray(v) ? v : []

/** Runs `compile`; an ExpressionError becomes an issue at `path` (anything else is a bug and is thrown). */
function attempt (out: CheckIssue[], path: KeyPath, compile: () => unknown, at?: 'key'): void {
  try {
    compile()
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err
    out.push({ path, at, message: err.message })
  }
}

function eachRoute (raw: unknown, visit: (route: Plain, at: At) => void): void {
  list(plain(raw)?.routes).forEach((r, i) => {
    const route = plain(r)
    if (route) visit(route, (...rest) => ['routes', i, ...rest])
  })
}

/** Everything that compiles without importing code: paths, patterns, rewrites, comparator names. */
export function compileExpressions (raw: unknown, file: string): CheckIssue[] {
  const out: CheckIssue[] = []
  const configDir = dirname(file)
  eachRoute(raw, (route, at) => {
    const from = plain(plain(plain(route.shadow)?.rewrite)?.path)?.from
    if (typeof from === 'string') attempt(out, at('shadow', 'rewrite', 'path', 'from'), () => compileRewrite({ path: { from, to: '' } }))
    const compare = plain(route.compare)
    if (!compare) return
    list(compare.ignore).forEach((p, k) => {
      if (typeof p === 'string' && p.startsWith('$')) attempt(out, at('compare', 'ignore', k), () => compilePath(p))
    })
    list(compare.redact).forEach((p, k) => {
      // entries not starting with $ are header names and query:NAME, which need no compiling
      if (typeof p === 'string' && p.startsWith('$')) attempt(out, at('compare', 'redact', k), () => compilePath(p))
    })
    for (const p of Object.keys(plain(compare.arrays) ?? {})) {
      if (p.startsWith('$')) attempt(out, at('compare', 'arrays', p), () => compilePath(p), 'key')
    }
    list(compare.masks).forEach((m, k) => {
      const rule = plain(m)
      if (typeof rule?.pattern === 'string') attempt(out, at('compare', 'masks', k, 'pattern'), () => compileMasks([{ name: String(rule.name), pattern: rule.pattern as string }]))
    })
    list(compare.comparators).forEach((c, k) => {
      if (typeof c !== 'string') return
      const unknown = unknownComparator(c)
      if (unknown) out.push({ path: at('compare', 'comparators', k), message: unknown.message })
      else if (isModuleRef(c) && !existsSync(comparatorFile(c, configDir))) out.push({ path: at('compare', 'comparators', k), message: missingModule(comparatorFile(c, configDir)).message })
    })
  })
  return out
}

/**
 * Imports every comparator module that exists (compileExpressions reports the missing ones) and
 * checks its shape, as the comparison workers will. Each file is imported once per run.
 */
export async function compileModules (raw: unknown, file: string): Promise<CheckIssue[]> {
  const out: CheckIssue[] = []
  const configDir = dirname(file)
  const loads = new Map<string, Promise<string | undefined>>()
  const load = (entry: string): Promise<string | undefined> => {
    const key = comparatorFile(entry, configDir)
    let p = loads.get(key)
    if (p === undefined) {
      // loadComparator turns every failure (missing, unloadable, wrong shape) into an ExpressionError
      p = compileStep(entry, configDir).then(() => undefined, (err: unknown) => (err as ExpressionError).message)
      loads.set(key, p)
    }
    return p
  }
  const pending: Array<Promise<void>> = []
  eachRoute(raw, (route, at) => {
    list(plain(route.compare)?.comparators).forEach((c, k) => {
      if (typeof c !== 'string' || !isModuleRef(c) || !existsSync(comparatorFile(c, configDir))) return
      pending.push(load(c).then((message) => { if (message !== undefined) out.push({ path: at('compare', 'comparators', k), message }) }))
    })
  })
  await Promise.all(pending)
  return out
}
