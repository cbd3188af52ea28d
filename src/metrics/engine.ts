/**
 * The comparison engine's own numbers on /metrics, read at scrape time from
 * `engine.stats()` (nothing is counted on the hot path):
 *   shadowfig_comparator_results_total{comparator, outcome=continue|decided|error}
 *   shadowfig_compare_queue{state=queued|running}
 * Each comparator in a route's chain has a name and its own counter (Envoy-style filters).
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { CompareEngineStats } from '../compare/engine.js'

const OUTCOMES = [['continue', 'continue'], ['decided', 'decided'], ['errors', 'error']] as const

export function registerEngineMetrics (registry: Registry, stats: () => CompareEngineStats): void {
  const seen = new Map<string, number>()
  new Counter({ // eslint-disable-line no-new -- registered on construction
    name: 'shadowfig_comparator_results_total',
    help: 'Comparator results per comparator name: continue, decided (ended the chain) or error.',
    labelNames: ['comparator', 'outcome'],
    registers: [registry],
    collect () {
      for (const [name, counts] of Object.entries(stats().comparators)) {
        for (const [field, outcome] of OUTCOMES) {
          const key = `${name}\0${outcome}`
          const now = counts[field]
          const delta = now - (seen.get(key) ?? 0)
          if (delta > 0) { this.inc({ comparator: name, outcome }, delta); seen.set(key, now) }
          else if (!seen.has(key)) { this.inc({ comparator: name, outcome }, 0); seen.set(key, now) }
        }
      }
    },
  })
  new Gauge({ // eslint-disable-line no-new -- registered on construction
    name: 'shadowfig_compare_queue',
    help: 'Comparisons waiting for a worker thread (queued) and being compared (running).',
    labelNames: ['state'],
    registers: [registry],
    aggregator: 'sum',
    collect () {
      const s = stats()
      this.set({ state: 'queued' }, s.queued)
      this.set({ state: 'running' }, s.running)
    },
  })
}
