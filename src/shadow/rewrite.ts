/**
 * A route's `shadow.rewrite`, compiled once at config load: a path regex (applied to the path,
 * the query string kept), header set/remove, and a Host override. Applied to mirrored
 * requests only; the primary always gets the client's request.
 */
import type { RewriteConfig } from '../config/schema.js'
import { configRegExp } from '../errors.js'

export interface CompiledRewrite {
  readonly path: { re: RegExp, to: string } | undefined
  readonly set: ReadonlyArray<readonly [string, string]>
  /** Lower-cased names to drop, including those replaced by `set`. */
  readonly drop: ReadonlySet<string>
  readonly host: string | undefined
}

/** Throws an ExpressionError when `path.from` is not a regular expression. */
export function compileRewrite (cfg: RewriteConfig | undefined): CompiledRewrite | undefined {
  if (cfg === undefined) return undefined
  const set = Object.entries(cfg.headers?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const)
  const drop = new Set([...(cfg.headers?.remove ?? []).map((h) => h.toLowerCase()), ...set.map(([k]) => k)])
  return {
    path: cfg.path ? { re: configRegExp(cfg.path.from), to: cfg.path.to } : undefined,
    set,
    drop,
    host: cfg.host,
  }
}

export function rewritePath (target: string, rw: CompiledRewrite | undefined): string {
  if (rw?.path === undefined) return target
  const q = target.indexOf('?')
  const path = q === -1 ? target : target.slice(0, q)
  const next = path.replace(rw.path.re, rw.path.to)
  return (next.startsWith('/') ? next : '/' + next) + (q === -1 ? '' : target.slice(q))
}

/** Flat header array with the rewrite applied (a new array; the input is not changed). */
export function rewriteHeaders (headers: readonly string[], rw: CompiledRewrite | undefined): string[] {
  if (rw === undefined) return headers as string[]
  const out: string[] = []
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i].toLowerCase()
    if (rw.drop.has(lower)) continue
    if (rw.host !== undefined && lower === 'host') { out.push('host', rw.host); continue }
    out.push(headers[i], headers[i + 1])
  }
  for (const [k, v] of rw.set) out.push(k, v)
  return out
}
