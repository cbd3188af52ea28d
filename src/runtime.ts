/**
 * Builds the proxy's Runtime for one config, and is the one place where each route's hooks
 * are made: the mirror planner (shadow/) and the live split (split/). proxy/ only defines the
 * hook interfaces (src/proxy/route-runtime.ts); it never imports the folders that implement them.
 */
import type { Config } from './config/schema.js'
import type { Metrics } from './metrics/registry.js'
import { RouteRuntime } from './proxy/route-runtime.js'
import type { Runtime } from './proxy/runtime.js'
import { UpstreamSet, type Upstream } from './proxy/upstreams.js'
import { compileRoutes } from './routing/table.js'
import type { ExchangeSink } from './shadow/exchange.js'
import { ShadowRoute } from './shadow/shadow-route.js'
import type { TargetStates } from './shadow/targets.js'
import type { SplitController } from './split/controller.js'
import { SplitHook } from './split/hook.js'

export interface RuntimeDeps {
  metrics: Metrics
  /** Mirror-target state (in-flight, circuit) kept across reloads. */
  targets: TargetStates
  /** Where finished mirrored exchanges go (the comparison engine). */
  sink: ExchangeSink
  /** The split controller of a route with `split:` (they outlive reloads). */
  splits?: { get (route: string): SplitController | undefined }
}

export interface BuildResult {
  runtime: Runtime
  /** Pools of the previous runtime that the new one does not use: close after the swap. */
  retired: Upstream[]
}

export function buildRuntime (config: Config, hash: string, deps: RuntimeDeps, previous?: Runtime): BuildResult {
  const { set, retired } = UpstreamSet.build(config.upstreams, previous?.upstreams)
  const mirrored = new Set(config.routes.flatMap((r) => r.shadow ? [r.shadow.candidate, r.shadow.secondary ?? r.shadow.candidate] : []))
  const shadowConfigs = Object.fromEntries(Object.entries(config.upstreams).filter(([name]) => mirrored.has(name)))
  const shadowBuild = UpstreamSet.build(shadowConfigs, previous?.shadowUpstreams)
  const shadowDeps = { metrics: deps.metrics, targets: deps.targets, upstreams: shadowBuild.set, sink: deps.sink }
  const table = compileRoutes(config.routes)
  deps.targets.maxOpenTickets = Math.max(1, config.routes.reduce((n, r) => n + (r.shadow?.maxInFlight ?? 0), 0))
  const routes = config.routes.map((r, i) => {
    const primary = set.get(r.primary)
    const controller = r.split === undefined ? undefined : deps.splits?.get(r.name)
    return new RouteRuntime(r, i, primary, deps.metrics, {
      shadow: r.shadow === undefined ? undefined : new ShadowRoute(r, r.shadow, shadowDeps),
      split: r.split === undefined || controller === undefined ? undefined : new SplitHook(controller, set.get(r.split.to), primary),
    })
  })
  return {
    runtime: { config, hash, table, routes, upstreams: set, shadowUpstreams: shadowBuild.set },
    retired: [...retired, ...shadowBuild.retired],
  }
}
