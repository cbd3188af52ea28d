/**
 * A small compiled JSONPath subset for ignore, redact and array rules:
 * `$`, `.name`, `['odd key']`, `["odd key"]`, `[3]`, `[*]`, `.*` and `..name` / `..*`
 * (recursive descent). A path is compiled once at config load into tokens; matching walks the
 * tokens against a concrete location (keys and indices) with backtracking only for `..`.
 * No filters or slices: they are rarely needed to tame noise and would make matching costly.
 */
import { ExpressionError } from '../errors.js'

/** A concrete location inside a JSON value: object keys and array indices. */
export type Segment = string | number

/** One step of a compiled path (path-scope.ts runs them as an automaton). */
export type Token =
  | { t: 'name', v: string }
  | { t: 'index', v: number }
  | { t: 'wild' }
  | { t: 'desc', v: string | null }

export interface PathMatcher {
  readonly source: string
  readonly tokens: readonly Token[]
  /** True when `segs` is exactly a location the path names. */
  matches (segs: readonly Segment[]): boolean
}

const NAME = /^[A-Za-z_$][\w$-]*/

/**
 * Compile a JSONPath of the subset; throws an ExpressionError naming the character where the
 * path leaves the subset and what to write instead.
 */
export function compilePath (source: string): PathMatcher {
  const tokens = parse(source)
  return { source, tokens, matches: (segs) => matchFrom(tokens, 0, segs, 0) }
}

const SUBSET = 'supported: $.a.b, $..key, $.items[*].x, $.items[3], $.a[\'odd key\']'

/** Why `src` leaves the subset at offset `i`, and what to write instead. */
function unsupported (src: string, i: number): string {
  const rest = src.slice(i)
  const at = `at character ${i + 1}`
  let why: string
  if (rest === '' || rest === '.' || rest === '..') why = `ends ${at} where a name, [index] or * must follow; remove the trailing "${rest || src.slice(-1)}" or name a field`
  else if (rest.startsWith('[?')) why = `has a filter ${at}: filters ([?(...)]) are not supported; name the field under every item instead, e.g. $.items[*].x (or match items by key with arrays: { $.items: { key: id } })`
  else if (/^\[-?\d*:/.test(rest)) why = `has a slice ${at}: slices are not supported; use [*] for every item or [3] for one`
  else if (/^\[[^\]]*,/.test(rest)) why = `has a union ${at}: unions are not supported; list each path as its own entry`
  else if (rest.startsWith('[') && !rest.includes(']')) {
    const name = /^\[['"]?([A-Za-z_$][\w$-]*)/.exec(rest)?.[1]
    why = `has an unclosed [ ${at}` + (name ? `; write ${src.slice(0, i)}${src.startsWith('..', i - 2) ? '' : '.'}${name} or ${src.slice(0, i)}['${name}']` : '; write [\'name\'], [3] or [*]')
  } else if (/^\[[A-Za-z_$]/.test(rest)) {
    const name = /^\[([^\]]*)\]/.exec(rest)?.[1] ?? ''
    why = `has an unquoted key ${at}: quote it, ['${name}'], or write .${name}`
  } else if (/^\.\d/.test(rest) || /^\.[^\w$*.]/.test(rest)) why = `has a key that is not a plain name ${at}: write it in brackets, e.g. ['${rest.slice(1).split(/[.[]/)[0]}']`
  else why = `has unsupported syntax ${at} ("${rest.slice(0, 12)}")`
  return `JSONPath ${JSON.stringify(src)} ${why} (${SUBSET})`
}

function parse (src: string): Token[] {
  if (src[0] !== '$') throw new ExpressionError(`JSONPath ${JSON.stringify(src)} must start with $: write $.${src.replace(/^\.+/, '')}`)
  const out: Token[] = []
  let i = 1
  let from = i
  const fail = (): never => { throw new ExpressionError(unsupported(src, from)) }
  while (i < src.length) {
    from = i
    if (src.startsWith('..', i)) {
      i += 2
      if (src[i] === '*') { out.push({ t: 'desc', v: null }); i++; continue }
      if (src[i] === '[') { from = i; const b = bracket(src, i, fail); i = b.next; out.push({ t: 'desc', v: b.tok.t === 'name' ? b.tok.v : null }); continue }
      const m = NAME.exec(src.slice(i)) ?? fail()
      out.push({ t: 'desc', v: m[0] }); i += m[0].length
    } else if (src[i] === '.') {
      i++
      if (src[i] === '*') { out.push({ t: 'wild' }); i++; continue }
      const m = NAME.exec(src.slice(i)) ?? fail()
      out.push({ t: 'name', v: m[0] }); i += m[0].length
    } else if (src[i] === '[') {
      const b = bracket(src, i, fail); i = b.next; out.push(b.tok)
    } else fail()
  }
  return out
}

function bracket (src: string, start: number, fail: () => never): { tok: Token, next: number } {
  const rest = src.slice(start)
  let m = /^\[\*\]/.exec(rest)
  if (m) return { tok: { t: 'wild' }, next: start + m[0].length }
  m = /^\[(\d+)\]/.exec(rest)
  if (m) return { tok: { t: 'index', v: Number(m[1]) }, next: start + m[0].length }
  m = /^\[(['"])((?:\\.|(?!\1).)*)\1\]/.exec(rest)
  if (m) return { tok: { t: 'name', v: m[2].replace(/\\(.)/g, '$1') }, next: start + m[0].length }
  return fail()
}

function matchFrom (tokens: readonly Token[], ti: number, segs: readonly Segment[], si: number): boolean {
  if (ti === tokens.length) return si === segs.length
  if (si === segs.length) return false
  const tok = tokens[ti]
  switch (tok.t) {
    case 'name': return segs[si] === tok.v && matchFrom(tokens, ti + 1, segs, si + 1)
    case 'index': return segs[si] === tok.v && matchFrom(tokens, ti + 1, segs, si + 1)
    case 'wild': return matchFrom(tokens, ti + 1, segs, si + 1)
    case 'desc':
      for (let s = si; s < segs.length; s++) {
        if ((tok.v === null || segs[s] === tok.v) && matchFrom(tokens, ti + 1, segs, s + 1)) return true
      }
      return false
  }
}

/**
 * The segments of a concrete location such as `$.items[3]['odd key']` (names and indices
 * only), or undefined when `source` is not one (wildcards, `..`, bad syntax).
 */
export function parseLocation (source: string): Segment[] | undefined {
  let tokens: Token[]
  try { tokens = parse(source) } catch { return undefined }
  const segs: Segment[] = []
  for (const tok of tokens) {
    if (tok.t === 'name' || tok.t === 'index') segs.push(tok.v)
    else return undefined
  }
  return segs
}

/** Any of several compiled paths. */
export function anyMatches (matchers: readonly PathMatcher[], segs: readonly Segment[]): boolean {
  for (const m of matchers) if (m.matches(segs)) return true
  return false
}

const IDENT = /^[A-Za-z_$][\w$]*$/

/**
 * Format a location as JSONPath. `grouping` shows indices as `[*]` so that the same field in
 * different array elements groups as one path (metrics, signatures, noise).
 */
export function formatPath (segs: readonly Segment[], grouping: boolean): string {
  let out = '$'
  for (const s of segs) {
    if (typeof s === 'number') out += grouping ? '[*]' : `[${s}]`
    else if (IDENT.test(s)) out += '.' + s
    else out += `['${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`
  }
  return out
}
