/**
 * Checks that need the whole file: names that must refer to something, routes that can never
 * match, and settings that contradict each other. Runs on the merged raw object (before or
 * despite schema errors, so one run shows everything) and reads it defensively.
 *
 * Errors block the config; warnings (`warning: true`) are reported but the config loads.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { HTTP_METHODS, SAFE_METHODS } from '../http/methods.js'
import { routePattern } from '../routing/table.js'
import { patternCovers, predicatesCover } from '../routing/overlap.js'
import type { PathPattern } from '../routing/path.js'
import { routeSchema, type RouteConfig } from './schema.js'
import { parseShare } from './units.js'
import { isPlain, type Plain } from './merge.js'
import { closest, type DraftIssue } from './messages.js'
import type { KeyPath } from './positions.js'

export interface CheckIssue extends DraftIssue {
  warning?: boolean
}

interface Covering { pattern: PathPattern, match: RouteConfig['match'], name: string }

/** Methods the schema accepts that are not safe: listed in shadow.methods, they need allowWrites. */
const UNSAFE: ReadonlySet<string> = new Set(HTTP_METHODS.filter((m) => !SAFE_METHODS.has(m)))

const str = (v: unknown): string | undefined => typeof v === 'string' ? v : undefined
const plain = (v: unknown): Plain | undefined => isPlain(v) ? v : undefined

function share (v: unknown): number | undefined {
  if (typeof v === 'number') return v
  return typeof v === 'string' ? parseShare(v) : undefined
}

const pct = (r: number): string => `${Math.round(r * 10_000) / 100}%`

export function crossCheck (raw: unknown, file: string): CheckIssue[] {
  const out: CheckIssue[] = []
  const root = plain(raw)
  if (!root) return out
  const upstreams = Object.keys(plain(root.upstreams) ?? {})
  const routes = Array.isArray(root.routes) ? root.routes : []

  const upstreamRef = (path: KeyPath, v: unknown): void => {
    const name = str(v)
    if (name === undefined || upstreams.includes(name)) return
    const guess = closest(name, upstreams)
    const known = upstreams.length ? `known upstreams: ${upstreams.join(', ')}` : 'no upstreams are defined'
    out.push({ path, message: `unknown upstream "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}; ${known}. Define it under upstreams: or fix the name` })
  }

  const names = new Map<string, number>()
  const patterns: Array<Covering | undefined> = []
  routes.forEach((r: unknown, i: number) => {
    const route = plain(r)
    patterns.push(undefined)
    if (!route) return
    const at = (...rest: Array<string | number>): KeyPath => ['routes', i, ...rest]
    const name = str(route.name)
    if (name !== undefined) {
      const first = names.get(name)
      if (first === undefined) names.set(name, i)
      else out.push({ path: at('name'), message: `duplicate route name "${name}" (routes[${first}] already uses it); names label metrics and reports, so each must be unique` })
    }
    const primary = str(route.primary)
    upstreamRef(at('primary'), route.primary)
    checkMatch(route, i, at, patterns, out)
    const shadow = plain(route.shadow)
    if (shadow) checkShadow(shadow, primary, at, upstreamRef, out)
    const split = plain(route.split)
    if (split) checkSplit(split, shadow, primary, at, upstreamRef, out)
    const record = plain(route.record)
    if (record) checkRecord(record, file, at, out)
  })
  return out
}

function checkMatch (route: Plain, i: number, at: (...r: Array<string | number>) => KeyPath, patterns: Array<Covering | undefined>, out: CheckIssue[]): void {
  // a match the schema rejects is reported there; only well-typed ones are compared here
  const parsed = routeSchema.shape.match.safeParse(route.match)
  if (!parsed.success) return
  const m = parsed.data
  const pattern = routePattern(m)
  if (typeof pattern === 'string') {
    const where = m.path !== undefined && m.pathPrefix === undefined ? at('match', 'path') : m.pathPrefix !== undefined && m.path === undefined ? at('match', 'pathPrefix') : at('match')
    out.push({ path: where, message: pattern })
    return
  }
  patterns[i] = { pattern, match: m, name: str(route.name) ?? `#${i}` }
  for (let j = 0; j < i; j++) {
    const earlier = patterns[j]
    if (!earlier || !patternCovers(earlier.pattern, pattern) || !predicatesCover(earlier.match, m)) continue
    out.push({ path: at('match'), message: `this route can never match: routes[${j}] ("${earlier.name}") comes first and matches every request this one matches (first match wins); move this route above it, or narrow "${earlier.name}"` })
    return
  }
}

function checkShadow (shadow: Plain, primary: string | undefined, at: (...r: Array<string | number>) => KeyPath, upstreamRef: (p: KeyPath, v: unknown) => void, out: CheckIssue[]): void {
  upstreamRef(at('shadow', 'candidate'), shadow.candidate)
  upstreamRef(at('shadow', 'secondary'), shadow.secondary)
  if (primary !== undefined && shadow.candidate === primary) {
    out.push({ path: at('shadow', 'candidate'), message: `the candidate is the route's primary ("${primary}"): mirroring would double its traffic and compare it with itself; name the new service here` })
  }
  if (shadow.secondary !== undefined && shadow.secondary === shadow.candidate) {
    out.push({ path: at('shadow', 'secondary'), message: 'the secondary is the candidate: the secondary must be a second instance of the primary (it tells noise from real differences)' })
  }
  const methods = Array.isArray(shadow.methods) ? shadow.methods : []
  const unsafe = methods.filter((x) => UNSAFE.has(String(x)))
  if (unsafe.length && shadow.allowWrites !== true) {
    out.push({ path: at('shadow', 'methods'), message: `${unsafe.join(', ')} listed but allowWrites is false: unsafe methods are never mirrored (the candidate would write twice); remove them, or set allowWrites: true if the candidate writes to its own store` })
  }
}

function checkSplit (split: Plain, shadow: Plain | undefined, primary: string | undefined, at: (...r: Array<string | number>) => KeyPath, upstreamRef: (p: KeyPath, v: unknown) => void, out: CheckIssue[]): void {
  upstreamRef(at('split', 'to'), split.to)
  if (primary !== undefined && split.to === primary) {
    out.push({ path: at('split', 'to'), message: `split.to is the route's primary ("${primary}"): no traffic would move; name the new service` })
  }
  const guard = plain(split.guard)
  if (!shadow && guard?.maxMismatchRate !== undefined) {
    out.push({ warning: true, path: at('split', 'guard', 'maxMismatchRate'), message: 'the route has no shadow: block, so nothing is compared and maxMismatchRate can never trip; add shadow: { candidate: ... } (the split.to service) or remove maxMismatchRate' })
  }
  if (!shadow) return
  if (str(shadow.candidate) !== undefined && str(split.to) !== undefined && shadow.candidate !== split.to) {
    out.push({ warning: true, path: at('split', 'to'), message: `split.to "${String(split.to)}" is not shadow.candidate "${String(shadow.candidate)}": live traffic moves to a service that is not the one being verified` })
  }
  const sample = share(shadow.sample ?? 1)
  const weight = share(split.weight)
  if (sample !== undefined && weight !== undefined && weight > sample && split.sticky === shadow.sticky) {
    out.push({ warning: true, path: at('split', 'weight'), message: `split.weight (${pct(weight)}) is above shadow.sample (${pct(sample)}): some of the traffic moved live was never shadowed; raise the sample first` })
  }
  const sticky = str(split.sticky)
  if (sticky !== undefined && str(shadow.sticky) !== undefined && shadow.sticky !== sticky) {
    out.push({ warning: true, path: at('split', 'sticky'), message: `split.sticky (${sticky}) differs from shadow.sticky (${String(shadow.sticky)}): the users moved live are not the users whose traffic was shadowed; use the same key` })
  }
}

/**
 * A capture file whose directory cannot be created or written: the proxy starts, but records
 * nothing (and warns each minute). The writer creates missing directories, so the nearest
 * existing ancestor is what must be a writable directory.
 */
function checkRecord (record: Plain, file: string, at: (...r: Array<string | number>) => KeyPath, out: CheckIssue[]): void {
  const target = str(record.file)
  if (target === undefined) return
  let dir = dirname(resolve(dirname(file), target))
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir)
  let why: string | undefined
  try {
    if (!statSync(dir).isDirectory()) why = `${dir} is a file, not a directory (ENOTDIR)`
    else accessSync(dir, constants.W_OK)
  } catch (err) {
    why = `${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`
  }
  if (why) out.push({ warning: true, path: at('record', 'file'), message: `captures cannot be written: ${why}; point record.file at a writable directory (relative paths start at the config file)` })
}
