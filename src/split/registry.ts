/**
 * The split controllers of the running config, by route name. The proxy looks a route's
 * controller up once per request (`get`); the admin API steers them (`setWeight`, whose
 * result is exactly what `POST /api/routes/:name/split` answers); `/api/report` reads
 * `status()`. `rebuild` on config reload carries live state over for unchanged splits.
 */
import { share } from '../config/schema.js'
import type { RouteConfig } from '../config/schema.js'
import { SplitController } from './controller.js'
import type { SplitControllerOptions, SplitReadiness } from './controller.js'
import type { ClimbStatus, PromoteResult } from './climb.js'

export type SetWeightResult =
  | { ok: true, route: string, weight: number, fileWeight: number }
  | { ok: false, status: 404 | 400, error: string }

export type SplitStatus = SplitReadiness & { route: string, to: string, climb?: ClimbStatus }

export class SplitRegistry {
  private readonly opts: SplitControllerOptions
  private controllers = new Map<string, SplitController>()

  constructor (opts: SplitControllerOptions, routes: RouteConfig[] = []) {
    this.opts = opts
    this.rebuild(routes)
  }

  get (route: string): SplitController | undefined {
    return this.controllers.get(route)
  }

  all (): SplitController[] {
    return [...this.controllers.values()]
  }

  /**
   * Replaces the controllers for a new config. A route whose split is deep-equal to the
   * previous one keeps its live weight, trip and window; any other starts from the file.
   * Gauges of routes that lost their split are removed so dashboards do not show ghosts.
   * `stateDir` is the top-level `state.dir` (climb state files of routes without their own).
   */
  rebuild (routes: RouteConfig[], stateDir?: string): void {
    const next = new Map<string, SplitController>()
    for (const r of routes) {
      if (r.split === undefined) continue
      const c = new SplitController(r.name, r.split, { ...this.opts, latency: r.compare.latency, stateDir })
      const prev = this.controllers.get(r.name)
      // A start resumes the climb from its state file, if any; an edited split block starts
      // from the file's weight, and its state file says so from now on.
      if (prev === undefined) c.climb?.resume()
      else if (!c.carryOver(prev)) c.climb?.anchor(c.weight, false)
      next.set(r.name, c)
    }
    for (const name of this.controllers.keys()) {
      if (!next.has(name)) this.opts.metrics.splitWeight.remove(name)
    }
    this.controllers = next
  }

  /**
   * Sets a route's live weight from the admin API. `weight` is the parsed JSON value: a ratio
   * 0..1 or a share string such as "5%" (the config's own syntax).
   */
  setWeight (route: string, weight: unknown, reason = 'admin'): SetWeightResult {
    const c = this.controllers.get(route)
    if (c === undefined) return this.unknown(route)
    const parsed = share.safeParse(weight)
    if (!parsed.success) {
      return { ok: false, status: 400, error: `weight must be a number between 0 and 1 or a percentage such as "5%" (got ${JSON.stringify(weight) ?? String(weight)})` }
    }
    c.setWeight(parsed.data, reason)
    return { ok: true, route, weight: c.weight, fileWeight: c.fileWeight }
  }

  /**
   * Approves a route's next climb step (or `to`, a parsed share) from the CLI or admin API:
   * exactly what `POST /api/routes/:name/promote` answers.
   */
  promote (route: string, opts: { to?: number, force?: boolean }): PromoteResult {
    const c = this.controllers.get(route)
    if (c === undefined) return this.unknown(route)
    if (c.climb === undefined) return { ok: false, status: 400, error: `route "${route}" has no split.steps: there is no climb to promote; set a weight with shadowfig rollback ${route} --weight N` }
    return c.climb.promote(opts)
  }

  /** Per-route readiness (and climb) for /api/report and the dashboard. */
  status (): SplitStatus[] {
    return this.all().map((c) => {
      const r = c.readiness()
      return { route: c.route, to: c.split.to, ...r, ...c.climb === undefined ? {} : { climb: c.climb.status(r) } }
    })
  }

  private unknown (route: string): { ok: false, status: 404, error: string } {
    return { ok: false, status: 404, error: `route "${route}" has no split in the running config (routes with split: ${[...this.controllers.keys()].join(', ') || 'none'})` }
  }

  /** The same, keyed by route name: the admin server's `routeStatus` hook. */
  statusByRoute (): Record<string, SplitStatus> {
    const out: Record<string, SplitStatus> = {}
    for (const s of this.status()) out[s.route] = s
    return out
  }
}
