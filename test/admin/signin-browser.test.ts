/**
 * Sign-in off loopback in a real headless Chromium: the admin server treats every client as
 * remote (`trustLoopback: false`), so the browser meets the sign-in form, signs in with the
 * token, reads the report, opens a sample, and signs out. Screenshots go to a temporary directory.
 */
import t from 'tap'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { chromium } from 'playwright-core'
import { createAdminServer } from '../../src/admin/server.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { changed, exchange, result, route } from '../report/fixtures.js'

const CHROMIUM = '/usr/bin/chromium'

t.test('a browser off loopback signs in, reads the report, opens a sample, signs out', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent` }, async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const log = pino({ level: 'silent' })
  const reporter = new Reporter({ metrics, diffs: log, samples })
  reporter.setRoutes([route('orders')])
  const ex = exchange('orders')
  reporter.record(result(ex, 'mismatch', [changed('$.total', 10, 11)]), ex)
  const admin = createAdminServer({
    host: '127.0.0.1', port: 0, token: 'correct horse', metrics, reporter, samples, log, trustLoopback: false,
    hooks: { ready: () => true, reload: async () => ({ ok: true, hash: '' }), setSplit: () => ({ ok: false, status: 404, error: '' }) },
  })
  const { port } = await admin.listen()
  t.teardown(() => admin.close())
  const base = `http://127.0.0.1:${port}`

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } })
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-signin-'))

  const first = await page.goto(`${base}/report?window=1h`)
  t.equal(first?.status(), 401)
  t.equal(await page.title(), 'shadowfig: sign in')
  await page.screenshot({ path: join(dir, 'signin.png') })

  await page.fill('#token', 'wrong')
  const [wrong] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/report/signin')), page.click('button[type=submit]')])
  t.equal(wrong.status(), 401, 'the form post passes the same-origin check')
  t.match(await page.locator('.signin .error').innerText(), /not the admin token/)

  await page.fill('#token', 'correct horse')
  await Promise.all([page.waitForURL(/\/report\?window=1h$/), page.click('button[type=submit]')])
  t.equal(await page.title(), 'shadowfig report', 'back on the page first asked for')
  const cookies = await page.context().cookies()
  t.same(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path]), [['shadowfig_session', true, 'Strict', '/report']])

  await Promise.all([page.waitForURL(/\/report\/samples\//), page.locator('a.sample-link').first().click()])
  t.match(await page.title(), /^sample /, 'the sample link opens with the session')
  t.match(await page.locator('main').innerText(), /field diffs/i)

  await page.goto(`${base}/report`)
  await Promise.all([page.waitForURL(`${base}/report`), page.click('form.signout button')])
  t.equal(await page.title(), 'shadowfig: sign in', 'signed out: the form again')
  t.same((await page.context().cookies()).length, 0, 'cookie cleared')
  await page.screenshot({ path: join(dir, 'signed-out.png') })
  t.comment(`screenshots: ${dir}`)
})
