import t from 'tap'
import { Metrics } from '../../src/metrics/registry.js'

t.test('default process metrics are on, prefixed, on a private registry', async (t) => {
  const m = new Metrics()
  const text = await m.registry.metrics()
  t.match(text, /^shadowfig_process_cpu_user_seconds_total /m)
  t.match(text, /^# TYPE shadowfig_nodejs_eventloop_lag_seconds gauge/m)
  t.notMatch(await new Metrics({ defaultMetrics: false }).registry.metrics(), /process_cpu/)
})

t.test('codeClass', async (t) => {
  t.same([200, 204, 302, 404, 503].map(Metrics.codeClass), ['2xx', '2xx', '3xx', '4xx', '5xx'])
})
