/**
 * The route's ignore and array-rule paths run together as one automaton over the locations of
 * a JSON value, so that normalization asks "is this key ignored, is this array ruled" with one
 * transition per key instead of matching every path against the whole location (compiled once
 * per plan; states are built on first use and shared by every body the route compares).
 *
 * A state is the set of (path, token) positions still live at a location: exactly what
 * jsonpath.ts's `matchFrom` would still be trying there. `name` and `index` tokens move on
 * when the segment equals theirs, `wild` on any segment, and `..` (`desc`) both stays (the
 * segment is skipped) and moves on when the segment is its name (any segment for `..*`). A path
 * names the location when its last token was consumed there. Segments that equal no token of a
 * state's live positions all lead to one shared state, so a state has at most one transition per
 * name or index written in the config, plus one: bodies cannot grow the automaton.
 */
import type { PathMatcher, Segment, Token } from './jsonpath.js'

/** A segment equal to no name and no index: where every segment the paths do not name goes. */
const OTHER: unique symbol = Symbol('other segment')

export class Scope {
  /** An ignore path names this location. */
  readonly ignored: boolean
  /** Index (in the plan's `arrays`) of the first array rule naming this location; -1: none. */
  readonly arrayRule: number
  /** No position is live: no path names this location or any below it. */
  private readonly dead: boolean
  private readonly named = new Map<Segment, Scope>()
  private other: Scope | undefined

  constructor (private readonly auto: Automaton, private readonly positions: readonly number[]) {
    let ignored = false
    let arrayRule = -1
    for (const p of positions) {
      const m = Math.floor(p / auto.width)
      if (p % auto.width !== (auto.paths[m] as readonly Token[]).length) continue
      if (m < auto.ignoreCount) ignored = true
      else if (arrayRule === -1) arrayRule = m - auto.ignoreCount
    }
    this.ignored = ignored
    this.arrayRule = arrayRule
    this.dead = positions.length === 0
  }

  /** The scope of child `seg` (an object key or an array index). */
  child (seg: Segment): Scope {
    if (this.dead) return this
    const known = this.named.get(seg)
    if (known !== undefined) return known
    if (this.auto.names.has(seg)) {
      const s = this.auto.state(this.step(seg))
      this.named.set(seg, s)
      return s
    }
    return this.other ??= this.auto.state(this.step(OTHER))
  }

  private step (seg: Segment | typeof OTHER): number[] {
    const next = new Set<number>()
    for (const p of this.positions) {
      const tok = (this.auto.paths[Math.floor(p / this.auto.width)] as readonly Token[])[p % this.auto.width]
      if (tok === undefined) continue // the path ended above: a longer location is not named
      if (tok.t === 'desc') {
        next.add(p)
        if (tok.v === null || seg === tok.v) next.add(p + 1)
      } else if (tok.t === 'wild' || seg === tok.v) next.add(p + 1)
    }
    return [...next].sort((a, b) => a - b)
  }
}

class Automaton {
  /** Tokens of the ignore paths, then of the array rules' paths. */
  readonly paths: ReadonlyArray<readonly Token[]>
  /** A position is path index × width + token index (width: the longest path's tokens + 1). */
  readonly width: number
  /** Every name and index some token compares a segment with. */
  readonly names = new Set<Segment>()
  private readonly states = new Map<string, Scope>()

  constructor (readonly ignoreCount: number, matchers: readonly PathMatcher[]) {
    this.paths = matchers.map((m) => m.tokens)
    this.width = Math.max(0, ...this.paths.map((t) => t.length)) + 1
    for (const tokens of this.paths) {
      for (const tok of tokens) if ((tok.t === 'name' || tok.t === 'index' || tok.t === 'desc') && tok.v !== null) this.names.add(tok.v)
    }
  }

  state (positions: number[]): Scope {
    const key = positions.join(',')
    let s = this.states.get(key)
    if (s === undefined) this.states.set(key, s = new Scope(this, positions))
    return s
  }
}

/** The root scope (the location `$`) of a plan's ignore and array-rule paths. */
export function compileScope (ignore: readonly PathMatcher[], arrays: readonly PathMatcher[]): Scope {
  const auto = new Automaton(ignore.length, [...ignore, ...arrays])
  return auto.state(auto.paths.map((_, i) => i * auto.width))
}

/** The scope of a location given whole (the diff's path to an array), one child step per segment. */
export function scopeAt (root: Scope, segs: readonly Segment[]): Scope {
  let s = root
  for (const seg of segs) s = s.child(seg)
  return s
}
