/** Capture writer stats reach /metrics as monotonic counters, across writer replacement. */
import t from 'tap'
import { Registry } from 'prom-client'
import { registerCaptureMetrics, type StatsSource } from '../../src/metrics/capture.js'

const stats = (written: number, queueFull: number, errors = 0): StatsSource['stats'] => ({
  written, errors, dropped: { queue_full: queueFull, record_too_large: 0, io_error: 0, closed: 0 },
})

t.test('written and dropped counts, current on the same scrape, never going back', async (t) => {
  const registry = new Registry()
  let writers: Array<[string, StatsSource]> = [['orders', { stats: stats(3, 1) }]]
  registerCaptureMetrics(registry, () => writers)
  let text = await registry.metrics()
  t.match(text, /shadowfig_capture_records_total\{route="orders"\} 3/)
  t.match(text, /shadowfig_capture_dropped_total\{route="orders",reason="queue_full"\} 1/, 'same scrape, not one behind')
  writers = [['orders', { stats: stats(5, 1, 2) }]] // a reload replaced the writer: it counts from 0 again
  text = await registry.metrics()
  t.match(text, /shadowfig_capture_records_total\{route="orders"\} 8/)
  t.match(text, /shadowfig_capture_dropped_total\{route="orders",reason="serialize_error"\} 2/)
  t.match(text, /shadowfig_capture_dropped_total\{route="orders",reason="queue_full"\} 2/)
  text = await registry.metrics()
  t.match(text, /shadowfig_capture_records_total\{route="orders"\} 8/, 'a scrape with no change adds nothing')
})
