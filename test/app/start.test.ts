/** App start-up: a taken port fails cleanly; comparator counters reach /metrics; undecided verdicts wait to be counted. */
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { App } from '../../src/app.js'
import { counterValue } from '../helpers/metrics.js'
import { httpServer } from '../helpers/servers.js'

const up = await httpServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"a":1}') })
const cand = await httpServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"a":2}') })
t.teardown(async () => { await up.close(); await cand.close() })

function config (port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-start-'))
  const file = join(dir, 'c.yaml')
  writeFileSync(file, `listen: { host: 127.0.0.1, port: ${port} }
admin: { host: 127.0.0.1, port: 0 }
logging: { level: silent }
upstreams: { primary: { url: "${up.url}" }, candidate: { url: "${cand.url}" } }
routes:
  - { name: r, match: { pathPrefix: / }, primary: primary, shadow: { candidate: candidate } }
`)
  return file
}

t.test('a proxy port in use rejects start with EADDRINUSE', async (t) => {
  await t.rejects(App.start({ configFile: config(up.port), signals: false, watch: false, compareThreads: 1 }), { code: 'EADDRINUSE' })
})

t.test('comparator results and the compare queue are on /metrics', async (t) => {
  const app = await App.start({ configFile: config(0), signals: false, watch: false, compareThreads: 1, defaultMetrics: false })
  t.teardown(() => app.shutdown('test'))
  await (await request(`http://127.0.0.1:${app.proxyPort}/x`)).body.text()
  const admin = `http://127.0.0.1:${app.adminPort}`
  let text = ''
  for (let i = 0; i < 200 && !/verdict="mismatch"/.test(text); i++) {
    text = await (await request(`${admin}/metrics`)).body.text()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  // Nothing suggests the primary varies at $.a by itself: a mismatch, final and counted at once.
  t.match(text, /shadowfig_comparisons_total\{route="r",verdict="mismatch"\} 1/)
  t.match(text, /shadowfig_comparator_results_total\{comparator="json",outcome="continue"\} 1/, "json adds its fields and lets the chain go on")
  t.match(text, /shadowfig_comparator_results_total\{comparator="status",outcome="continue"\} 1/)
  t.match(text, /shadowfig_compare_queue\{state="queued"\} 0/)
})

t.test('an unwritable record.file is warned about at start-up, with its path and reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-start-'))
  writeFileSync(join(dir, 'file.txt'), 'a regular file, not a directory')
  const file = join(dir, 'c.yaml')
  writeFileSync(file, `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
upstreams: { primary: { url: "${up.url}" }, candidate: { url: "${cand.url}" } }
routes:
  - { name: r, match: { pathPrefix: / }, primary: primary, shadow: { candidate: candidate }, record: { file: file.txt/capture.ndjson } }
`)
  const lines: Array<Record<string, unknown>> = []
  const logStream = { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } }
  const app = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false, admin: false, logStream })
  t.teardown(() => app.shutdown('test'))
  const warned = lines.filter((l) => l.event === 'shadowfig.capture.unwritable')
  t.equal(warned.length, 1, 'one warning before start() returned')
  t.match(warned[0], { route: 'r', file: join(dir, 'file.txt', 'capture.ndjson'), reason: /ENOTDIR|EEXIST/ })
})

t.test('an undecided verdict is in no counter until final; then counted once', async (t) => {
  let n = 0 // $.n is new on every call, primary and candidate alike
  const counting = await httpServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ n: n++ })) })
  t.teardown(() => counting.close())
  const file = config(0).replace(/c\.yaml$/, 'n.yaml')
  writeFileSync(file, `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
logging: { level: silent }
upstreams: { primary: { url: "${counting.url}" }, candidate: { url: "${counting.url}" } }
routes:
  - { name: r, match: { pathPrefix: / }, primary: primary, shadow: { candidate: candidate } }
`)
  const app = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false })
  let stopped = false
  t.teardown(() => stopped ? undefined : app.shutdown('test'))
  const report = async (): Promise<{ total: number, undecided?: number }> => {
    const body = await (await request(`http://127.0.0.1:${app.adminPort}/api/report`)).body.json() as { routes: Array<{ total: number, undecided?: number }> }
    return body.routes[0] ?? { total: 0 }
  }
  const until = async (done: (r: { total: number, undecided?: number }) => boolean): Promise<{ total: number, undecided?: number }> => {
    for (let i = 0; ; i++) {
      const r = await report()
      if (done(r) || i === 200) return r
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
  const mismatches = (): Promise<number> => counterValue(app.metrics, 'shadowfig_comparisons_total', { route: 'r', verdict: 'mismatch' })
  await (await request(`http://127.0.0.1:${app.proxyPort}/x`)).body.text()
  t.match(await until((r) => r.total === 1), { total: 1, undecided: 0 }, 'no evidence at all yet: final at once')
  t.equal(await mismatches(), 1)
  await (await request(`http://127.0.0.1:${app.proxyPort}/x`)).body.text()
  t.match(await until((r) => r.undecided === 1), { total: 1, undecided: 1 }, 'the repeated request changed $.n on the primary: the model is learning it')
  t.equal(await mismatches(), 1, 'the undecided one is in no counter')
  stopped = true
  await app.shutdown('test')
  t.equal(await mismatches(), 2, 'decided on close with the evidence there was, counted once')
})

t.test('report.store: a sample link still opens after a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-store-'))
  const file = join(dir, 'c.yaml')
  writeFileSync(file, `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
logging: { level: silent, diffs: ${JSON.stringify(join(dir, 'diffs.ndjson'))} }
report: { store: kept }
upstreams: { primary: { url: "${up.url}" }, candidate: { url: "${cand.url}" } }
routes:
  - { name: r, match: { pathPrefix: / }, primary: primary, shadow: { candidate: candidate } }
`)
  const first = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false })
  await (await request(`http://127.0.0.1:${first.proxyPort}/x`)).body.text()
  let ids: string[] = []
  for (let i = 0; i < 200 && ids.length === 0; i++) {
    const rep = await (await request(`http://127.0.0.1:${first.adminPort}/api/report`)).body.json() as { routes: Array<{ signatures: Array<{ sampleIds: string[] }> }> }
    ids = rep.routes[0]?.signatures[0]?.sampleIds ?? []
    if (ids.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(ids.length, 1)
  await first.shutdown('test')
  const second = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false })
  t.teardown(() => second.shutdown('test'))
  const page = await request(`http://127.0.0.1:${second.adminPort}/report/samples/${ids[0]}`)
  t.equal(page.statusCode, 200)
  t.match(await page.body.text(), /GET \/x/)
})
