import t from 'tap'
import { pino } from 'pino'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { changed, exchange, result, route } from '../report/fixtures.js'

t.test('readiness gauges come from the report\'s readiness at scrape time', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  t.match(await metrics.registry.metrics(), /# TYPE shadowfig_route_ready gauge\n/, 'declared before any route')
  const reporter = new Reporter({ metrics, diffs: pino({ level: 'silent' }), samples: new SampleStore() })
  reporter.setRoutes([route('orders'), route('users')])
  for (let i = 0; i < 150; i++) {
    const ex = exchange('users')
    reporter.record(result(ex, 'match'), ex)
  }
  const bad = exchange('orders')
  reporter.record(result(bad, 'mismatch', [changed('$.total', 1, 2)]), bad)
  const text = await metrics.registry.metrics()
  t.match(text, /shadowfig_route_ready\{route="users"\} 1\n/)
  t.match(text, /shadowfig_route_ready\{route="orders"\} 0\n/)
  const upper = Number(/shadowfig_route_mismatch_rate_upper_bound\{route="users"\} ([\d.e-]+)/.exec(text)?.[1])
  t.ok(upper > 0.019 && upper < 0.021, `0 in 150: about 3/150 (${upper})`)
  t.same(reporter.readiness().map((r) => [r.route, r.state]), [['users', 'ready'], ['orders', 'not_ready']])
})
