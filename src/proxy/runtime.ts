/**
 * A Runtime is everything built from one config: the route table, one RouteRuntime per
 * route, the upstream pools. The server holds one reference and swaps it atomically on
 * reload; a request keeps the Runtime it started with until it finishes. It is built by the
 * composition root (src/runtime.ts), which also installs each route's shadow and split hooks.
 */
import type { Config } from '../config/schema.js'
import type { RouteTable } from '../routing/table.js'
import type { RouteRuntime } from './route-runtime.js'
import type { UpstreamSet } from './upstreams.js'

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
