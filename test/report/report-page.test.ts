/**
 * The /report page in a real headless Chromium, after real mismatching exchanges went through
 * the real comparison engine and the Reporter. Saves a screenshot under .tap/report/.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { chromium } from 'playwright-core'
import { createCompareEngine } from '../../src/compare/engine.js'
import { createAdminServer } from '../../src/admin/server.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import { route } from './fixtures.js'

const CHROMIUM = '/usr/bin/chromium'
const EVIL = '<script>window.__pwned = 1</script>'

function jsonExchange (id: string, routeName: string, path: string, primary: unknown, candidate: unknown): Exchange {
  const side = (body: unknown, ms: number) => ({
    status: 200, headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode(JSON.stringify(body)), truncated: false, durationMs: ms,
  })
  return {
    id, route: routeName, startedAt: Date.now(),
    request: { method: 'GET', path, headers: { accept: 'application/json', authorization: 'Bearer top-secret' } },
    primary: side(primary, 12.1), candidate: side(candidate, 8.4),
  }
}

t.test('report page shows the differing field and both values', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install chromium)` }, async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const log = pino({ level: 'silent' })
  const diffs = pino(new Writable({ write (_c, _e, cb) { cb() } }))
  const reporter = new Reporter({ metrics, diffs, samples })
  const routes = [route('order-by-id', ['$.customer.card']), route('invoices')]
  reporter.setRoutes(routes)

  const engine = createCompareEngine({ threads: 1 })
  t.teardown(() => engine.close())
  await engine.setRoutes(routes.map((r) => ({ name: r.name, compare: r.compare, hasSecondary: false })), process.cwd())
  const order = (n: number) => ({ id: n, total: 1234.56, currency: 'EUR', customer: { name: 'Ann', card: '4111-1111' }, note: EVIL, items: [{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 1 }] })
  const exchanges: Exchange[] = []
  for (let n = 1; n <= 6; n++) {
    const p = order(n)
    exchanges.push(jsonExchange(`ord-${n}`, 'order-by-id', `/api/v1/orders/${n}`, p,
      n % 3 === 0 ? p : { ...p, total: 1234.5, customer: { name: 'Ann', card: '5500-0000' }, note: EVIL + '!' }))
  }
  exchanges.push(jsonExchange('inv-1', 'invoices', '/api/v1/invoices/7', { id: 7, status: 'paid' }, { id: 7, state: 'paid' }))
  for (const ex of exchanges) {
    const result = await engine.compare(ex)
    reporter.record(result, ex)
  }
  const rep = reporter.report()
  t.same(rep.routes.map((r) => [r.route, r.verdicts.match, r.verdicts.mismatch]), [['order-by-id', 2, 4], ['invoices', 0, 1]], 'the engine saw what we sent')

  const admin = createAdminServer({ host: '127.0.0.1', port: 0, metrics, reporter, samples, log, hooks: {
    ready: () => true,
    reload: async () => ({ ok: true, hash: '' }),
    setSplit: () => ({ ok: false, status: 404, error: '' }),
    routeStatus: () => ({ invoices: { to: 'billing-svc', weight: 0.05, fileWeight: 0.05, tripped: null, samples: 7, candidateErrorRate: 0, mismatches: 1, p99: { primary: 12, candidate: 9 }, state: 'not_ready', reasons: [{ code: 'mismatches', message: '1 unexplained mismatch in 7 exchanges' }] } }),
  } })
  const { port } = await admin.listen()
  t.teardown(() => admin.close())

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const failed: string[] = []
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`) })
  page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`))
  await page.goto(`http://127.0.0.1:${port}/report`, { waitUntil: 'load' })

  t.equal(await page.title(), 'shadowfig report')
  t.same(failed, [], 'page and every asset loaded from the admin server')
  const sig = page.locator('article.signature').filter({ hasText: '$.total' }).first()
  const row = sig.locator('table.diff tr', { hasText: '$.total' })
  t.ok(await row.isVisible(), 'field path visible')
  t.equal((await row.locator('td.primary').innerText()).trim(), '1234.56', 'primary value visible')
  t.equal((await row.locator('td.candidate').innerText()).trim(), '1234.5', 'candidate value visible')
  t.match(await sig.locator('.jdp').innerText(), /1234\.56[\s\S]*1234\.5/, 'body diff shows both values')
  const jdpFont = await sig.locator('.jsondiffpatch-delta').first().evaluate((el) => (globalThis as unknown as { getComputedStyle (e: unknown): { fontFamily: string } }).getComputedStyle(el).fontFamily)
  t.match(jdpFont, /mono/i, 'jsondiffpatch stylesheet applied')
  t.notOk(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), 'traffic cannot run script')
  t.match(await page.locator('main').innerText(), /<script>window\.__pwned = 1<\/script>/, 'traffic markup rendered as text')
  const text = await page.locator('body').innerText()
  t.notMatch(text, /4111-1111|5500-0000|top-secret/, 'redacted values never reach the page')
  t.match(await page.locator('table.live').innerText(), /invoices\s+billing-svc\s+5%\s+5%\s+armed\s+7\s+0%\s+1\s+12\.0 ms \/ 9\.00 ms\s+not ready\s+1 unexplained mismatch in 7 exchanges/i, 'live split state formatted')
  const orders = page.locator('#route-order-by-id')
  t.match(await orders.locator('.readiness').innerText(), /not ready[\s\S]*4 unexplained mismatches in 6 exchanges[\s\S]*mismatch rate below/i, 'readiness with reasons and bound')
  t.match(await orders.locator('table.latency').innerText(), /6\s+12\.\d+ ms\s+8\.\d+ ms/, 'latency of both sides')
  t.match(await orders.locator('table.endpoints').innerText(), /GET \/api\/v1\/orders\/:id\s+6\s+4/, 'endpoint inferred')
  t.match(await orders.locator('.field-tree').first().innerText(), /\$\.total\s+4\s+66\.7%\s+0%/, 'field tree: diffs, failing, noise')
  t.ok(await orders.locator('details.endpoint-tree').first().isVisible(), 'a field tree per endpoint')
  t.equal(await page.locator('nav.windows a.window').count(), 3, 'window selector')
  t.match(await page.locator('table.summary').innerText(), /not ready/i)
  t.match(await page.locator('table.summary').innerText(), /order-by-id\s+6\s+2\s+4/)

  const dir = resolve('.tap', 'report')
  await mkdir(dir, { recursive: true })
  await page.screenshot({ path: resolve(dir, 'report.png'), fullPage: true })

  await page.locator('nav.windows a.window', { hasText: '5m' }).click()
  t.match(page.url(), /window=5m$/)
  t.match(await page.locator('nav.windows .current').innerText(), '5m')

  await page.locator('a.sample-link').first().click()
  await page.waitForLoadState('load')
  t.match(await page.title(), /^sample /)
  t.match(await page.locator('main').innerText(), /mismatch[\s\S]*Field diffs[\s\S]*Request headers[\s\S]*primary[\s\S]*candidate/i, 'drill-down page')
  t.notMatch(await page.locator('body').innerText(), /top-secret|4111-1111/, 'headers and fields redacted')
  t.equal(await page.locator('.sides .side').count(), 2, 'both responses side by side')
  await page.screenshot({ path: resolve(dir, 'sample.png'), fullPage: true })
  const gone = await page.goto(`http://127.0.0.1:${port}/report/samples/no-such-id`)
  t.equal(gone?.status(), 404)
  t.match(await page.locator('main').innerText(), /no longer stored/)
  failed.length = 0

  t.comment(`screenshots: ${dir}`)
})
