// Deferred metric updates: what a reader of the registry sees is complete at every read, the
// histogram never holds more than a batch, and one label set has one deferred child.
import t from 'tap'
import { DeferredHistogram, HISTOGRAM_BATCH } from '../../src/metrics/deferred.js'
import { Metrics } from '../../src/metrics/registry.js'

t.test('every read of the registry sees every update made before it', async (t) => {
  const m = new Metrics({ defaultMetrics: false })
  const requests = m.deferred.counter(m.requests, 'r', 'GET', '2xx')
  const duration = m.deferred.histogram(m.upstreamDuration, 'r', 'primary')
  const inFlight = m.deferred.gauge(m.mirrorInFlight)
  const verdicts = m.deferred.counter(m.comparisons, 'r', 'match')
  for (let i = 0; i < 3; i++) { requests.inc(); duration.observe(0.002); inFlight.inc() }
  inFlight.dec()
  verdicts.inc()
  let text = await m.registry.metrics()
  t.match(text, /^shadowfig_requests_total\{route="r",method="GET",code_class="2xx"\} 3$/m)
  t.match(text, /^shadowfig_upstream_duration_seconds_bucket\{le="0.0025",route="r",role="primary"\} 3$/m)
  t.match(text, /^shadowfig_upstream_duration_seconds_count\{route="r",role="primary"\} 3$/m)
  t.match(text, /^shadowfig_mirror_in_flight 2$/m)
  t.match(text, /^shadowfig_comparisons_total\{route="r",verdict="match"\} 1$/m)
  requests.inc()
  inFlight.dec(); inFlight.dec()
  text = await m.registry.metrics()
  t.match(text, /^shadowfig_requests_total\{route="r",method="GET",code_class="2xx"\} 4$/m, 'a second read adds what came since')
  t.match(text, /^shadowfig_mirror_in_flight 0$/m, 'a gauge goes down as well as up')
  // What a cluster worker hands the primary (copied: prom-client returns its live objects).
  const json = structuredClone(await m.registry.getMetricsAsJSON())
  inFlight.inc()
  const again = await m.registry.getMetricsAsJSON()
  const value = (j: typeof json): unknown => j.find((x) => x.name === 'shadowfig_mirror_in_flight')?.values[0]?.value
  t.same([value(json), value(again)], [0, 1], 'the JSON export flushes too')
})

t.test('a label set has one deferred child, across reloads that ask for it again', async (t) => {
  const m = new Metrics({ defaultMetrics: false })
  t.equal(m.deferred.counter(m.requests, 'r', 'GET', '2xx'), m.deferred.counter(m.requests, 'r', 'GET', '2xx'))
  t.not(m.deferred.counter(m.requests, 'r', 'GET', '2xx'), m.deferred.counter(m.requests, 'r', 'GET', '5xx'))
  t.not(m.deferred.histogram(m.upstreamDuration, 'r', 'primary'), m.deferred.histogram(m.upstreamDuration, 'r', 'candidate'))
  t.notMatch(await m.registry.metrics(), /shadowfig_requests_total\{/, 'a child never updated exports no series')
})

t.test('a histogram hands its values over every batch, read or not', async (t) => {
  const seen: number[] = []
  const h = new DeferredHistogram({ observe: (v) => { seen.push(v) } })
  for (let i = 0; i < HISTOGRAM_BATCH - 1; i++) h.observe(i)
  t.equal(seen.length, 0, 'held until the batch is full')
  h.observe(HISTOGRAM_BATCH - 1)
  t.equal(seen.length, HISTOGRAM_BATCH)
  t.same(seen.slice(0, 3), [0, 1, 2], 'in order')
  h.observe(0.5)
  h.flush()
  t.equal(seen.at(-1), 0.5)
  h.flush()
  t.equal(seen.length, HISTOGRAM_BATCH + 1, 'nothing twice')
})
