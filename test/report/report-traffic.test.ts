/**
 * The report from real traffic in real Chromium: a real App (proxy, comparison threads,
 * reporter, admin server) in front of real primary, candidate and secondary servers. The
 * candidate gets `total` wrong on some orders; every side stamps its own `generatedAt`, which
 * the secondary explains as noise. The page must show it all: endpoints, latency, readiness,
 * the field tree with noise beside real differences, and a sample that opens. Screenshots go
 * to a temporary directory whose path the test prints.
 */
import t from 'tap'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium } from 'playwright-core'
import { App } from '../../src/app.js'
import { httpServer } from '../helpers/servers.js'

const CHROMIUM = '/usr/bin/chromium'

t.test('report page from real traffic through the proxy', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent` }, async (t) => {
  let stamp = 0
  const serve = (wrong: (id: number) => boolean) => httpServer((req, res) => {
    const id = Number(/\/orders\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0)
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ id, total: wrong(id) ? 99.5 : 100, currency: 'EUR', generatedAt: `t${++stamp}` }))
  })
  const primary = await serve(() => false)
  const secondary = await serve(() => false)
  const candidate = await serve((id) => id % 5 === 0)
  t.teardown(async () => { await primary.close(); await secondary.close(); await candidate.close() })

  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-report-'))
  const file = join(dir, 'c.yaml')
  writeFileSync(file, `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0, token: report-token }
logging: { level: silent, diffs: ${JSON.stringify(join(dir, 'diffs.ndjson'))} }
upstreams:
  primary: { url: "${primary.url}" }
  secondary: { url: "${secondary.url}" }
  candidate: { url: "${candidate.url}" }
routes:
  - name: orders
    match: { pathPrefix: /orders }
    primary: primary
    shadow: { candidate: candidate, secondary: secondary }
`)
  const app = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false })
  t.teardown(() => app.shutdown('test'))
  // The noise model explains a path once 50 exchanges with a reference are in its window.
  const N = 100
  for (let i = 1; i <= N; i++) await (await fetch(`http://127.0.0.1:${app.proxyPort}/orders/${i}`)).text()
  const admin = `http://127.0.0.1:${app.adminPort}`
  let total = 0
  for (let i = 0; i < 200 && total < N; i++) {
    const rep = await (await fetch(`${admin}/api/report`, { headers: { authorization: 'Bearer report-token' } })).json() as { routes: Array<{ total: number }> }
    total = rep.routes[0]?.total ?? 0
    if (total < N) await sleep(50)
  }
  t.equal(total, N, 'every exchange compared')

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const shots = mkdtempSync(join(tmpdir(), 'shadowfig-shots-'))
  await page.goto(`${admin}/report`)
  const orders = page.locator('#route-orders')
  t.match(await page.locator('table.summary').innerText(), /orders\s+100\s+0\s+\d+\s+[1-9]\d*\s+0\s+0/, 'mismatches and noise')
  t.match(await orders.locator('.readiness').innerText(), /not ready[\s\S]*unexplained mismatches in 100 exchanges/i)
  t.match(await orders.locator('table.endpoints').innerText(), /GET \/orders\/:id\s+100\s+\d+/, 'endpoint template inferred')
  t.match(await orders.locator('table.latency').innerText(), /100\s+[\d.]+ ms\s+[\d.]+ ms/, 'latency of both sides')
  const tree = await orders.locator('.field-tree').first().innerText()
  t.match(tree, /\$\.total\s+20\s+20\.0%\s+0%/, 'a real difference: failing on 20 of 100')
  // The secondary's own answer explains generatedAt on every exchange, from the first one.
  t.match(tree, /\$\.generatedAt\s+100\s+0%\s+100\.0%/, 'noise shown beside it, not hidden, and never failing')
  await page.screenshot({ path: join(shots, 'report.png'), fullPage: true })
  await Promise.all([page.waitForURL(/\/report\/samples\//), orders.locator('article.signature').filter({ hasText: '$.total' }).first().locator('a.sample-link').click()])
  t.match(await page.locator('main').innerText(), /mismatch[\s\S]*GET \/orders\/\d+[\s\S]*\$\.total/i, 'the sample opens as a page')
  // Raw bodies per side, as the services sent them (pretty-printed JSON), behind a closed tab.
  const rawTab = page.locator('.side.candidate details.view.raw')
  t.notOk(await rawTab.getAttribute('open') !== null, 'the raw view starts closed')
  await rawTab.locator('summary').click()
  t.match(await rawTab.locator('pre').innerText(), /"total": 99\.5/, 'the raw candidate body opens')
  const id = page.url().split('/').pop() as string
  const json = await (await fetch(`${admin}/api/diffs/${id}`, { headers: { authorization: 'Bearer report-token' } })).json() as { endpoint: string, raw: { candidate: { text: string } } }
  t.equal(json.endpoint, 'GET /orders/:id')
  t.match(json.raw.candidate.text, /"total": 99\.5/, '/api/diffs carries the raw bodies too')
  await page.screenshot({ path: join(shots, 'sample.png'), fullPage: true })
  // The endpoint and signature links land on their row and block of /report.
  await page.locator('a.endpoint-link').click()
  await page.waitForURL(/\/report#endpoint-/)
  t.match(await page.locator('tr:target').innerText(), /GET \/orders\/:id/, 'the endpoint link lands on its row')
  await page.goBack()
  await page.locator('a.sig-link').click()
  await page.waitForURL(/\/report#sig-/)
  t.match(await page.locator('article.signature:target').innerText(), /\$\.total/, 'the signature link lands on its block')
  t.comment(`screenshots: ${join(shots, 'report.png')} ${join(shots, 'sample.png')}`)
})
