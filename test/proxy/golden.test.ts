/**
 * Golden tests: the same raw request sent direct to the upstream and through the proxy must
 * give the client the same status line, end-to-end headers (order, case, repeats) and body.
 */
import t from 'tap'
import zlib from 'node:zlib'
import { httpServer, rawExchange, semantic } from '../helpers/servers.js'
import { simpleConfig, startProxy } from '../helpers/proxy.js'

const gz = zlib.gzipSync(Buffer.from('{"hello":"world"}'.repeat(50)))

const upstream = await httpServer((req, res) => {
  res.sendDate = false
  switch (req.url) {
    case '/multi':
      res.writeHead(200, 'Totally Fine', [
        'Set-Cookie', 'a=1; Path=/', 'X-Custom', 'one', 'set-cookie', 'b=2; HttpOnly', 'X-Custom', 'two', 'Content-Type', 'text/plain',
      ])
      res.end('multi')
      return
    case '/chunked':
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('part one,')
      setTimeout(() => res.end('part two'), 20)
      return
    case '/gzip':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length })
      res.end(gz)
      return
    case '/head':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 11 })
      res.end(req.method === 'HEAD' ? undefined : 'hello world')
      return
    case '/204':
      res.writeHead(204, { 'x-empty': 'yes' })
      res.end()
      return
    case '/304':
      res.writeHead(304, { etag: '"abc"' })
      res.end()
      return
    case '/trailers':
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' })
      res.write('body')
      res.addTrailers({ 'x-checksum': 'abc123' })
      res.end()
      return
    case '/hop':
      res.writeHead(200, { connection: 'x-internal', 'x-internal': 'secret', 'keep-alive': 'timeout=5', 'x-kept': 'yes' })
      res.end('ok')
      return
    case '/echo-headers':
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ raw: req.rawHeaders }))
      return
    default:
      res.writeHead(404)
      res.end()
  }
})
const proxy = await startProxy(simpleConfig(upstream.url))
t.teardown(async () => { await proxy.close(); await upstream.close() })

function get (path: string, method = 'GET', extra = ''): string {
  return `${method} ${path} HTTP/1.1\r\nHost: example.test\r\n${extra}Connection: close\r\n\r\n`
}

for (const [path, method] of [['/multi', 'GET'], ['/chunked', 'GET'], ['/gzip', 'GET'], ['/head', 'HEAD'], ['/head', 'GET'], ['/204', 'GET'], ['/304', 'GET'], ['/trailers', 'GET']] as const) {
  t.test(`${method} ${path} is identical direct and proxied`, async (t) => {
    const direct = semantic(await rawExchange(upstream.port, get(path, method)))
    const proxied = semantic(await rawExchange(proxy.port, get(path, method)))
    t.equal(proxied.statusLine, direct.statusLine)
    t.same(proxied.headers, direct.headers)
    t.ok(proxied.body.equals(direct.body), 'body bytes equal')
    t.same(proxied.trailers, direct.trailers)
  })
}

t.test('gzip body is passed through still encoded', async (t) => {
  const proxied = semantic(await rawExchange(proxy.port, get('/gzip')))
  t.ok(proxied.body.equals(gz))
})

t.test('HEAD, 204 and 304 carry no body bytes', async (t) => {
  for (const [path, method] of [['/head', 'HEAD'], ['/204', 'GET'], ['/304', 'GET']]) {
    const raw = await rawExchange(proxy.port, get(path, method))
    t.equal(raw.subarray(raw.indexOf('\r\n\r\n') + 4).length, 0, `${method} ${path}`)
  }
})

t.test('hop-by-hop response headers, and those named in Connection, are removed', async (t) => {
  const r = semantic(await rawExchange(proxy.port, get('/hop')))
  const names = r.headers.map(([k]) => k.toLowerCase())
  t.notOk(names.includes('x-internal'))
  t.notOk(names.includes('keep-alive'))
  t.ok(names.includes('x-kept'))
})

t.test('request headers: hop-by-hop removed, host replaced, x-forwarded-* set', async (t) => {
  const raw = await rawExchange(proxy.port, get('/echo-headers', 'GET',
    'Connection: x-drop\r\nX-Drop: 1\r\nTE: trailers\r\nX-Forwarded-For: 10.0.0.1\r\nX-Keep: a\r\nX-Keep: b\r\n').replace('Connection: close\r\n', ''))
  const pairs: string[] = JSON.parse(semantic(raw).body.toString()).raw
  const headers: Array<[string, string]> = []
  for (let i = 0; i < pairs.length; i += 2) headers.push([pairs[i].toLowerCase(), pairs[i + 1]])
  const get1 = (n: string): string[] => headers.filter(([k]) => k === n).map(([, v]) => v)
  t.same(get1('host'), [`127.0.0.1:${upstream.port}`])
  t.same(get1('x-drop'), [])
  t.same(get1('te'), [])
  t.same(get1('x-keep'), ['a', 'b'], 'repeated request headers keep order')
  t.same(get1('x-forwarded-for'), ['10.0.0.1, 127.0.0.1'])
  t.same(get1('x-forwarded-proto'), ['http'])
  t.same(get1('x-forwarded-host'), ['example.test'])
})

t.test('preserveHost keeps the client Host header', async (t) => {
  const p = await startProxy({ ...simpleConfig(upstream.url), routes: [{ name: 'all', match: { pathPrefix: '/' }, primary: 'primary', preserveHost: true }] })
  t.teardown(() => p.close())
  const pairs: string[] = JSON.parse(semantic(await rawExchange(p.port, get('/echo-headers'))).body.toString()).raw
  t.equal(pairs[pairs.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'host') + 1], 'example.test')
})
