/** Starts a real ProxyServer on port 0 from a config object (no file, no admin port). */
import pino from 'pino'
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js'
import type { ClientLimits } from '../../src/proxy/limits.js'
import { Metrics } from '../../src/metrics/registry.js'
import type { Runtime } from '../../src/proxy/runtime.js'
import { buildRuntime } from '../../src/runtime.js'
import { ProxyServer } from '../../src/proxy/server.js'
import type { Exchange, ExchangeSink } from '../../src/shadow/exchange.js'
import { TargetStates } from '../../src/shadow/targets.js'
import { counterValue } from './metrics.js'

export interface TestProxy {
  port: number
  url: string
  proxy: ProxyServer
  metrics: Metrics
  exchanges: Exchange[]
  /** shadowfig_rejected_total{reason} */
  rejected (reason: string): Promise<number>
  /** Builds a runtime from `input` (+ limits) and swaps it in, as a reload does. */
  reload (input: ConfigInput, limits?: Partial<ClientLimits>): void
  close (): Promise<void>
}

/** Minimal config: one catch-all route to `primary`, merged with `extra`. */
export function simpleConfig (primaryUrl: string, extra: Partial<ConfigInput> = {}): ConfigInput {
  return {
    upstreams: { primary: { url: primaryUrl, timeout: '2s', connectTimeout: '1s' } },
    routes: [{ name: 'all', match: { pathPrefix: '/' }, primary: 'primary' }],
    ...extra,
  } as ConfigInput
}

export interface StartOptions {
  sink?: ExchangeSink
  /** Merged into the config's `limits:` block. */
  limits?: Partial<ClientLimits>
}

/** The config through the real schema, with `limits` merged into its `limits:` block. */
function parse (input: ConfigInput, limits?: Partial<ClientLimits>): Config {
  return configSchema.parse(limits === undefined ? input : { ...input, limits: { ...input.limits, ...limits } })
}

export async function startProxy (input: ConfigInput, opts: StartOptions | ExchangeSink = {}): Promise<TestProxy> {
  const { sink, limits } = 'submit' in opts ? { sink: opts, limits: undefined } : opts
  const metrics = new Metrics({ defaultMetrics: false })
  const exchanges: Exchange[] = []
  const deps = { metrics, targets: new TargetStates(), sink: sink ?? { submit: (e: Exchange) => { exchanges.push(e) } } }
  const runtimes: Runtime[] = [buildRuntime(parse(input, limits), 'test', deps).runtime]
  const proxy = new ProxyServer(runtimes[0], { log: pino({ level: 'silent' }), metrics })
  const addr = await proxy.listen(0, '127.0.0.1')
  return {
    port: addr.port,
    url: `http://127.0.0.1:${addr.port}`,
    proxy,
    metrics,
    exchanges,
    rejected: (reason) => counterValue(metrics, 'shadowfig_rejected_total', { reason }),
    reload (next, nextLimits) {
      const rt = buildRuntime(parse(next, nextLimits), 'test2', deps, runtimes[runtimes.length - 1]).runtime
      runtimes.push(rt)
      proxy.setRuntime(rt)
    },
    async close () {
      await proxy.drain(100)
      for (const rt of runtimes) { await rt.upstreams.destroy(); await rt.shadowUpstreams.destroy() }
    },
  }
}
