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

t.test('formatSummary adds up routes, names the top field per route, and learned noise', async (t) => {
  const report: Report = {
    generatedAt: new Date(0).toISOString(),
    routes: [
      route('order-by-id', { match: 70, mismatch: 25, candidate_error: 5 }, [{ field: '$.total', count: 25, rate: 0.25 }]),
      route('orders-by-user', { match: 1, mismatch: 40, skipped: 2 }, [
        { field: '$.orders[*].customer_name', count: 40, rate: 40 / 43 },
        { field: '$.orders[*].customerName', count: 40, rate: 40 / 43 },
      ]),
      route('user-by-id', { mismatch: 49, noise: 60 }, [{ field: '$.request_id', count: 49, rate: 49 / 109 }]),
      route('other', { mismatch: 1, match: 99 }, [{ field: '$.a', count: 1, rate: 0.01 }]),
    ],
  }
  const noisy = (r: string): string[] => r === 'user-by-id' ? ['$.request_id'] : []
  t.equal(formatSummary(report, { sent: 300, status: {}, failed: 0, skipped: 0 }, noisy),
    'requests 300 · compared 352 · match 170 · mismatch 115 · noise 60 · errors 5 · skipped 2 · ' +
    'top diffs: $.orders[*].customer_name on orders-by-user (93%), $.total on order-by-id (25%) · learned noise: $.request_id')
  t.equal(formatSummary(report, undefined),
    'compared 352 · match 170 · mismatch 115 · noise 60 · errors 5 · skipped 2 · ' +
    'top diffs: $.request_id on user-by-id (45%), $.orders[*].customer_name on orders-by-user (93%)', 'before the noise is learned: by count; no traffic stats')
  t.equal(formatSummary({ generatedAt: '', routes: [report.routes[3]] }, undefined),
    'compared 100 · match 99 · mismatch 1 · noise 0 · errors 0 · top diffs: $.a on other (1.0%)', 'small rates keep a decimal')
  t.equal(formatSummary({ generatedAt: '', routes: [report.routes[2]] }, undefined, noisy),
    'compared 109 · match 0 · mismatch 49 · noise 60 · errors 0 · top diffs: none yet · learned noise: $.request_id')
  const tie = [route('b', { mismatch: 1 }, [{ field: '$.b', count: 1, rate: 1 }]), route('a', { mismatch: 1 }, [{ field: '$.a', count: 1, rate: 1 }])]
  t.match(formatSummary({ generatedAt: '', routes: tie }, undefined), /top diffs: \$\.a on a \(100%\), \$\.b on b \(100%\)$/, 'equal counts: by route name')
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
