import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { main } from '../../src/commands/rollback.js'

interface Seen { method?: string, url?: string, authorization?: string, contentType?: string, body: string }

/** A small server playing the admin API: token "s3cret", one split route "invoices". */
async function fakeAdmin (t: { teardown (fn: () => unknown): void }): Promise<{ url: string, port: number, seen: Seen[] }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => { body += c })
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'], body })
      const json = (status: number, v: unknown): void => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v)) }
      if (req.headers.authorization !== 'Bearer s3cret') return json(401, { error: { code: 'SHADOWFIG_ERR_UNAUTHORIZED', message: 'bad token' } })
      if (req.url === '/api/routes/boom/split') return json(500, { error: 'kaput' })
      if (req.url === '/api/routes/plain/split') { res.writeHead(200).end('ok'); return }
      if (req.url !== '/api/routes/invoices/split') return json(404, { ok: false, error: 'route "x" has no split' })
      const { weight } = JSON.parse(body) as { weight: number }
      json(200, { ok: true, route: 'invoices', weight, fileWeight: 0.05 })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, port, seen }
}

function io (env: Record<string, string | undefined> = { SHADOWFIG_ADMIN_TOKEN: 's3cret' }): { out: string[], err: string[], io: Parameters<typeof main>[1] } {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env } }
}

t.test('rolls a route back to 0 with the bearer token and prints the new weight', async (t) => {
  const admin = await fakeAdmin(t)
  const c = io()
  t.equal(await main(['invoices', '--admin', admin.url + '/'], c.io), 0)
  t.same(admin.seen, [{ method: 'POST', url: '/api/routes/invoices/split', authorization: 'Bearer s3cret', contentType: 'application/json', body: '{"weight":0}' }])
  t.same(c.out, ['route invoices: live split weight 0 (file weight 0.05)\n'])
  t.same(c.err, [])
})

t.test('--weight steers to any share; a 2xx without JSON still reports the requested weight', async (t) => {
  const admin = await fakeAdmin(t)
  const pct = io()
  t.equal(await main(['invoices', '--admin', admin.url, '--weight', '20%'], pct.io), 0)
  t.equal(admin.seen[0].body, '{"weight":0.2}')
  const ratio = io()
  t.equal(await main(['plain', '--admin', admin.url, '--weight', '0.5'], ratio.io), 0)
  t.equal(admin.seen[1].body, '{"weight":0.5}')
  t.same(ratio.out, ['route plain: live split weight 0.5\n'])
})

t.test('a 4xx exits 1 and says what to do', async (t) => {
  const admin = await fakeAdmin(t)
  const bad = io({ SHADOWFIG_ADMIN_TOKEN: 'wrong' })
  t.equal(await main(['invoices', '--admin', admin.url], bad.io), 1)
  t.match(bad.err.join(''), /answered 401: SHADOWFIG_ERR_UNAUTHORIZED bad token\nThe token was refused: set SHADOWFIG_ADMIN_TOKEN/)
  const none = io({})
  t.equal(await main(['invoices', '--admin', admin.url], none.io), 1)
  t.equal(admin.seen[1].authorization, undefined, 'no token, no header')
  t.match(none.err.join(''), /needs a token: set SHADOWFIG_ADMIN_TOKEN/)
  const unknown = io()
  t.equal(await main(['orders v2', '--admin', admin.url], unknown.io), 1)
  t.equal(admin.seen[2].url, '/api/routes/orders%20v2/split', 'the route name is path-encoded')
  t.match(unknown.err.join(''), /404: route "x" has no split\nNo route named "orders v2" with a split/)
})

t.test('a 5xx or an unreachable admin API exits 2', async (t) => {
  const admin = await fakeAdmin(t)
  const boom = io()
  t.equal(await main(['boom', '--admin', admin.url], boom.io), 2)
  t.match(boom.err.join(''), /500: kaput\nThe proxy failed/)
  // A port that was just free: nothing listens there now.
  const closed = createServer().listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const { port } = closed.address() as AddressInfo
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const down = io()
  t.equal(await main(['invoices', '--admin', `http://127.0.0.1:${port}`], down.io), 2)
  t.match(down.err.join(''), /cannot reach the admin API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/)
})

t.test('the admin address comes from --config or SHADOWFIG_CONFIG', async (t) => {
  const admin = await fakeAdmin(t)
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-rollback-'))
  t.teardown(() => import('node:fs').then((fs) => fs.rmSync(dir, { recursive: true, force: true })))
  const file = join(dir, 'shadowfig.yaml')
  writeFileSync(file, `admin: { host: 0.0.0.0, port: ${admin.port}, token: \${SHADOWFIG_ADMIN_TOKEN} }\nroutes: []\n`)
  const a = io()
  t.equal(await main(['invoices', '--config', file], a.io), 0)
  const b = io({ SHADOWFIG_ADMIN_TOKEN: 's3cret', SHADOWFIG_CONFIG: file })
  t.equal(await main(['invoices'], b.io), 0)
  t.equal(admin.seen.length, 2)

  const ipv6 = join(dir, 'v6.yaml')
  writeFileSync(ipv6, 'admin: { host: "::", port: 1 }\n')
  const v6 = io()
  t.equal(await main(['invoices', '--config', ipv6], v6.io), 2)
  t.match(v6.err.join(''), /at http:\/\/\[::1\]:1 /)

  const hostDefault = join(dir, 'port-only.yaml')
  writeFileSync(hostDefault, `admin: { port: ${admin.port} }\n`)
  t.equal(await main(['invoices', '--config', hostDefault], io().io), 0, 'admin.host defaults to 127.0.0.1')
  t.equal(admin.seen.length, 3)

  const interp = join(dir, 'interp.yaml')
  writeFileSync(interp, `admin: { host: \${ADMIN_HOST:-127.0.0.1}, port: \${ADMIN_PORT} }\n`)
  const i = io({ SHADOWFIG_ADMIN_TOKEN: 's3cret', ADMIN_PORT: String(admin.port) })
  t.equal(await main(['invoices', '--config', interp], i.io), 0, 'interpolated address')
  const unset = io()
  t.equal(await main(['invoices', '--config', interp], unset.io), 1, 'port variable unset')
  t.match(unset.err.join(''), /admin.port null\); pass --admin URL/)
})

t.test('bad input exits 1 with one line pointing at --help', async (t) => {
  for (const [args, reason] of [
    [[], /give exactly one ROUTE name/],
    [['a', 'b'], /give exactly one ROUTE name/],
    [['invoices', '--weight', '150%'], /--weight must be a ratio/],
    [['invoices', '--weight', 'half'], /--weight must be a ratio/],
    [['invoices', '--bogus'], /unknown option --bogus/],
    [['invoices', '--config', '/nonexistent/shadowfig.yaml'], /cannot read config \/nonexistent\/shadowfig\.yaml/],
  ] as const) {
    const c = io()
    t.equal(await main([...args], c.io), 1, args.join(' '))
    t.match(c.err.join(''), /^shadowfig rollback: [^\n]* \(see shadowfig rollback --help\)\n$/, args.join(' '))
    t.match(c.err.join(''), reason)
  }
})
