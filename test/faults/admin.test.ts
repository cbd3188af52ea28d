/**
 * The admin surface against hostile browsers and hostile traffic, where test/report does not
 * already cover it (token checks, cross-origin POSTs and escaping of fixture data are there):
 *  - DNS rebinding: a page on evil.example whose name re-resolves to 127.0.0.1 reaches a
 *    loopback admin port from a loopback address, same-origin in the browser's eyes. Access
 *    granted for being on loopback must also require a loopback Host.
 *  - values from real traffic (bodies, headers, paths through proxy, engine and reporter)
 *    render as text on /report.
 */
import t, { type Test } from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { App } from '../../src/app.js'
import { httpServer } from '../helpers/servers.js'
import { rawExchange } from './harness.js'

async function startApp (t: Test, token: string | undefined, primary: string, candidate: string): Promise<App> {
  const file = join(mkdtempSync(join(tmpdir(), 'shadowfig-admin-')), 'c.yaml')
  writeFileSync(file, `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0${token === undefined ? '' : `, token: "${token}"`} }
logging: { level: silent, diffs: ${join(file, '..', 'diffs.ndjson')} }
upstreams: { primary: { url: "${primary}" }, candidate: { url: "${candidate}" } }
routes:
  - { name: all, match: { pathPrefix: / }, primary: primary, shadow: { candidate: candidate } }
`)
  const app = await App.start({ configFile: file, signals: false, watch: false, defaultMetrics: false, compareThreads: 1 })
  t.teardown(() => app.shutdown('test'))
  return app
}

t.test('DNS rebinding: loopback-granted access needs a loopback Host', async (t) => {
  const up = await httpServer((_req, res) => res.end('{}'))
  t.teardown(() => up.close())
  for (const token of [undefined, 'tok']) {
    const app = await startApp(t, token, up.url, up.url)
    const admin = `http://127.0.0.1:${app.adminPort}`
    const as = (host: string, path: string, init: { method?: 'POST', body?: string } = {}) =>
      request(`${admin}${path}`, { ...init, headers: { host, ...(init.body !== undefined ? { 'content-type': 'application/json', origin: `http://${host}` } : {}) } })
    const label = token === undefined ? 'no token' : 'token'
    for (const host of [`localhost:${app.adminPort}`, `127.0.0.1:${app.adminPort}`, `[::1]:${app.adminPort}`, `app.localhost:${app.adminPort}`]) {
      const r = await as(host, '/report')
      await r.body.dump()
      t.equal(r.statusCode, 200, `${label}: /report with Host ${host}`)
    }
    for (const host of [`evil.example:${app.adminPort}`, 'evil.example', `127.0.0.1.evil.example:${app.adminPort}`]) {
      const page = await as(host, '/report')
      await page.body.dump()
      t.not(page.statusCode, 200, `${label}: /report with Host ${host} is refused`)
      if (token === undefined) {
        const rep = await as(host, '/api/report')
        await rep.body.dump()
        t.equal(rep.statusCode, 403, `${label}: /api/report with Host ${host} is refused`)
        const split = await as(host, '/api/routes/all/split', { method: 'POST', body: '{"weight":0}' })
        await split.body.dump()
        t.equal(split.statusCode, 403, `${label}: a rebinding page cannot change the proxy`)
      }
    }
    if (token === undefined) {
      // Non-browser HTTP/1.0 tools may send no Host at all (a browser always does); garbage is refused.
      const bare = (await rawExchange(app.adminPort, 'GET /api/report HTTP/1.0\r\n\r\n')).toString()
      t.match(bare, /^HTTP\/1\.1 200 /, 'no Host (HTTP/1.0) from loopback')
      const junk = (await rawExchange(app.adminPort, 'GET /api/report HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')).toString()
      t.match(junk, /^HTTP\/1\.1 403 /, 'an unparsable Host is not loopback')
    }
    const metrics = await as(`evil.example:${app.adminPort}`, '/metrics')
    await metrics.body.dump()
    t.equal(metrics.statusCode, 200, `${label}: open endpoints stay open`)
  }
})

t.test('values from real traffic render as text on /report', async (t) => {
  const evil = '<script>alert(1)</script>'
  const prim = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-evil': '<b onmouseover=alert(3)>' })
    res.end(JSON.stringify({ name: evil, [evil]: 1, n: 1 }))
  })
  const cand = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-evil': '<i>' })
    res.end(JSON.stringify({ name: '"><img src=x onerror=alert(2)>', [evil]: 2, n: 2 }))
  })
  t.teardown(async () => { await prim.close(); await cand.close() })
  const app = await startApp(t, undefined, prim.url, cand.url)
  const proxy = `http://127.0.0.1:${app.proxyPort}`
  const r = await request(`${proxy}/x?q=%3Cscript%3Ealert(4)%3C/script%3E&raw=<svg/onload=alert(5)>`)
  t.match(await r.body.text(), /<script>alert\(1\)<\/script>/, 'the client gets the primary untouched')
  let html = ''
  for (let i = 0; i < 200 && !/mismatch/.test(html); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    html = await (await request(`http://127.0.0.1:${app.adminPort}/report`)).body.text()
  }
  t.match(html, /mismatch/, 'the exchange was compared and reported')
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the body value is shown, escaped')
  t.notMatch(html, /<script>alert/i)
  t.notMatch(html, /<img src=x/i)
  t.notMatch(html, /<svg/i)
  t.notMatch(html, /<b onmouseover/i)
})
