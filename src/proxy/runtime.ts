/**
 * A Runtime is everything built from one config: the route table, one RouteRuntime per
 * route, the upstream pools. The server holds one reference and swaps it atomically on
 * reload; a request keeps the Runtime it started with until it finishes.
 */
import type { Config } from '../config/schema.js'
import { compileRoutes, type RouteTable } from '../routing/table.js'
import type { Metrics } from '../metrics/registry.js'
import type { ExchangeSink } from '../shadow/exchange.js'
import { ShadowRoute } from '../shadow/shadow-route.js'
import type { TargetStates } from '../shadow/targets.js'
import { RouteRuntime } from './route-runtime.js'
import { UpstreamSet, type Upstream } from './upstreams.js'

export interface Runtime {
  readonly config: Config
  /** Short hash of the config text, for shadowfig_config_info and logs. */
  readonly hash: string
  readonly table: RouteTable
  readonly routes: readonly RouteRuntime[]
  readonly upstreams: UpstreamSet
  /** Separate pools for mirror traffic (candidate and secondary upstreams only). */
  readonly shadowUpstreams: UpstreamSet
}

export interface RuntimeDeps {
  metrics: Metrics
  /** Mirror-target state (in-flight, circuit) kept across reloads. */
  targets: TargetStates
  /** Where finished mirrored exchanges go (the comparison engine). */
  sink: ExchangeSink
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
  const routes = config.routes.map((r, i) => {
    const rr = new RouteRuntime(r, i, set.get(r.primary), deps.metrics)
    if (r.shadow) rr.shadow = new ShadowRoute(r, r.shadow, shadowDeps)
    return rr
  })
  return {
    runtime: { config, hash, table, routes, upstreams: set, shadowUpstreams: shadowBuild.set },
    retired: [...retired, ...shadowBuild.retired],
  }
}
