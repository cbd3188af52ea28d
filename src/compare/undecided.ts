/**
 * Exchanges whose verdict waits for evidence (verdict `undecided`, see types.ts), per route,
 * in arrival order. Bounded twice: at most `maxPerRoute` held per route (the oldest is then
 * decided with the evidence there is) and at most `maxAgeMs` each (a route whose model never
 * fills, e.g. requests that never repeat, still gets final verdicts). Holds the exchange itself
 * because the final verdict is reported with it (samples, diff events, captures).
 */
import type { Exchange } from '../shadow/exchange.js'
import type { WorkerOutput } from './pipeline.js'

export interface Held { ex: Exchange, out: WorkerOutput, since: number }

export interface UndecidedOptions {
  /** Exchanges held per route before the oldest is decided anyway (default 200). */
  maxPerRoute?: number
  /** How long one exchange may wait for evidence, in ms (default 60000). */
  maxAgeMs?: number
}

export class UndecidedStore {
  readonly maxPerRoute: number
  readonly maxAgeMs: number
  private readonly byRoute = new Map<string, Held[]>()

  constructor (opts: UndecidedOptions = {}, private readonly now: () => number = () => performance.now()) {
    this.maxPerRoute = opts.maxPerRoute ?? 200
    this.maxAgeMs = opts.maxAgeMs ?? 60_000
  }

  /** Holds one exchange; returns those pushed out by the per-route bound (to decide now). */
  add (ex: Exchange, out: WorkerOutput): Held[] {
    let list = this.byRoute.get(ex.route)
    if (!list) this.byRoute.set(ex.route, list = [])
    list.push({ ex, out, since: this.now() })
    return list.length > this.maxPerRoute ? list.splice(0, list.length - this.maxPerRoute) : []
  }

  /** Every exchange held on a route, released. */
  take (route: string): Held[] {
    const list = this.byRoute.get(route) ?? []
    this.byRoute.delete(route)
    return list
  }

  /** Exchanges past their wait, released (oldest first per route). */
  expired (): Held[] {
    const limit = this.now() - this.maxAgeMs
    const out: Held[] = []
    for (const [route, list] of this.byRoute) {
      let n = 0
      while (n < list.length && list[n].since <= limit) n++
      if (n === 0) continue
      out.push(...list.splice(0, n))
      if (list.length === 0) this.byRoute.delete(route)
    }
    return out
  }

  /** Everything held, released. */
  all (): Held[] {
    const out = [...this.byRoute.values()].flat()
    this.byRoute.clear()
    return out
  }

  count (route?: string): number {
    if (route !== undefined) return this.byRoute.get(route)?.length ?? 0
    let n = 0
    for (const list of this.byRoute.values()) n += list.length
    return n
  }
}
