/** Starts a real ProxyServer on port 0 from a config object (no file, no admin port). */
import pino from 'pino'
import { configSchema, type ConfigInput } from '../../src/config/schema.js'
import { Metrics } from '../../src/report/metrics.js'
import { buildRuntime } from '../../src/proxy/runtime.js'
import { ProxyServer } from '../../src/proxy/server.js'
import type { Exchange, ExchangeSink } from '../../src/shadow/exchange.js'
import { TargetStates } from '../../src/shadow/targets.js'

export interface TestProxy {
  port: number
  url: string
  proxy: ProxyServer
  metrics: Metrics
  exchanges: Exchange[]
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

export async function startProxy (input: ConfigInput, sink?: ExchangeSink): Promise<TestProxy> {
  const config = configSchema.parse(input)
  const metrics = new Metrics({ defaultMetrics: false })
  const exchanges: Exchange[] = []
  const deps = { metrics, targets: new TargetStates(), sink: sink ?? { submit: (e: Exchange) => { exchanges.push(e) } } }
  const { runtime } = buildRuntime(config, 'test', deps)
  const proxy = new ProxyServer(runtime, { log: pino({ level: 'silent' }) })
  const addr = await proxy.listen(0, '127.0.0.1')
  return {
    port: addr.port,
    url: `http://127.0.0.1:${addr.port}`,
    proxy,
    metrics,
    exchanges,
    async close () {
      await proxy.drain(100)
      await runtime.upstreams.destroy()
      await runtime.shadowUpstreams.destroy()
    },
  }
}
