/** Reads a counter's value for a label set from a Metrics registry (what /metrics would show). */
import type { Metrics } from '../../src/metrics/registry.js'

export async function counterValue (metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name)
  if (!metric) throw new Error(`no metric ${name}`)
  const data = await metric.get()
  let sum = 0
  for (const v of data.values) {
    if (Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want)) sum += v.value
  }
  return sum
}
