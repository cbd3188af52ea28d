/** The live summary line: what it says, and how it is printed on a terminal and elsewhere. */
import t from 'tap'
import type { RouteReport } from '../../src/report/aggregates.js'
import type { Report } from '../../src/report/reporter.js'
import { formatSummary, startSummary } from '../../src/demo/summary.js'

function route (name: string, verdicts: Partial<RouteReport['verdicts']>, top: RouteReport['topFields']): RouteReport {
  const v = { match: 0, mismatch: 0, noise: 0, candidate_error: 0, skipped: 0, ...verdicts }
  const total = Object.values(v).reduce((a, b) => a + b, 0)
  return { route: name, total, verdicts: v, mismatchRate: v.mismatch / total, errorRate: v.candidate_error / total, topFields: top, signatures: [] }
}

t.test('formatSummary adds up routes and names the most frequent field', async (t) => {
  const report: Report = {
    generatedAt: new Date(0).toISOString(),
    routes: [
      route('order-by-id', { match: 70, mismatch: 25, candidate_error: 5 }, [{ field: '$.total', count: 25, rate: 0.25 }]),
      route('orders-by-user', { match: 1, mismatch: 40, skipped: 2 }, [{ field: '$.orders[*].customer_name', count: 40, rate: 40 / 43 }]),
      route('user-by-id', { noise: 9 }, []),
    ],
  }
  t.equal(formatSummary(report, { sent: 160, status: {}, failed: 0, skipped: 0 }),
    'requests 160 · compared 152 · match 71 · mismatch 65 · noise 9 · errors 5 · skipped 2 · top diff: $.orders[*].customer_name on orders-by-user (93% of its requests)')
  t.equal(formatSummary({ generatedAt: '', routes: [route('r', { mismatch: 1, match: 99 }, [{ field: '$.a', count: 1, rate: 0.01 }])] }, undefined),
    'compared 100 · match 99 · mismatch 1 · noise 0 · errors 0 · top diff: $.a on r (1.0% of its requests)', 'no traffic stats, small rates with a decimal')
  t.equal(formatSummary({ generatedAt: '', routes: [] }, undefined), 'compared 0 · match 0 · mismatch 0 · noise 0 · errors 0 · top diff: none yet')
})

class Sink {
  text = ''
  constructor (readonly isTTY: boolean, readonly columns?: number) {}
  write (s: string): boolean { this.text += s; return true }
}

t.test('on a terminal the line is rewritten in place and clipped to the width', async (t) => {
  const out = new Sink(true, 12)
  let n = 0
  const stop = startSummary({ out, line: () => `line ${++n} is long`, ttyMs: 5 })
  await new Promise((resolve) => setTimeout(resolve, 40))
  stop()
  const frames = out.text.split('\r\x1b[2K').slice(1)
  t.ok(frames.length >= 2, 'printed on the timer and once more on stop')
  t.equal(frames.at(-1), `line ${n} is long`.slice(0, 11) + '\n', 'clipped to columns - 1, final newline')
  t.notOk(out.text.slice(0, -1).includes('\n'), 'no newline until stop')
})

t.test('elsewhere a full line every plainMs', async (t) => {
  const out = new Sink(false)
  const stop = startSummary({ out, line: () => 'status', plainMs: 5 })
  await new Promise((resolve) => setTimeout(resolve, 30))
  stop()
  const lines = out.text.split('\n')
  t.equal(lines.pop(), '', 'ends with a newline')
  t.ok(lines.length >= 2)
  t.ok(lines.every((l) => l === 'status'))
  t.notOk(out.text.includes('\r'))
})

t.test('default intervals; a terminal of unknown width is not clipped', async (t) => {
  const out = new Sink(true)
  startSummary({ out, line: () => 'x'.repeat(300) })() // stopped before the first tick
  t.equal(out.text, `\r\x1b[2K${'x'.repeat(300)}\n`)
  const plain = new Sink(false)
  startSummary({ out: plain, line: () => 'once' })()
  t.equal(plain.text, 'once\n')
})
