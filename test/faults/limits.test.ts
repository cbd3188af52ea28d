/**
 * Every client-side limit of docs/limits.md, hit with raw bytes: the documented status, the
 * documented counter reason, and an upstream that never received a complete request.
 */
import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { httpServer, splitResponse } from '../helpers/servers.js'
import { faultConfig, recordingUpstream, settle, startFaultProxy, rawExchange } from './harness.js'
import { DEFAULT_CLIENT_LIMITS, resolveLimits } from '../../src/proxy/limits.js'

const H = 'Host: x\r\nConnection: close\r\n'
const status = (raw: Buffer): number => Number(splitResponse(raw).statusLine.split(' ')[1])

t.test('defaults are the documented ones and a config can only tighten headersTimeout to requestTimeout', async (t) => {
  t.same(resolveLimits({}), DEFAULT_CLIENT_LIMITS)
  t.equal(resolveLimits({ limits: { maxHeaderCount: 7 } }).maxHeaderCount, 7)
  t.equal(resolveLimits({ limits: { headersTimeout: 5000, requestTimeout: 1000 } }).headersTimeout, 1000)
  t.equal(resolveLimits({ limits: { headersTimeout: 5000, requestTimeout: 0 } }).headersTimeout, 5000, 'requestTimeout 0 = none')
})

t.test('header size: 431 header_too_large, from the screen and from the parser ceiling', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { maxHeaderSize: 1024 })
  t.teardown(async () => { await p.close(); await up.close() })
  const ok = await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}x-a: ${'a'.repeat(900)}\r\n\r\n`)
  t.equal(status(ok), 200, 'just under the limit goes through')
  const over = await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}x-a: ${'a'.repeat(1100)}\r\n\r\n`)
  t.equal(status(over), 431)
  t.match(splitResponse(over).body.toString(), /"reason":"header_too_large"/)
  // Far over: the parser's own ceiling (size + URL length + slack) stops it before a head exists.
  const huge = await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}x-a: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.equal(status(huge), 431)
  t.equal(await p.rejected('header_too_large'), 2)
  t.equal(up.requests, 1, 'only the request under the limit reached the upstream')
})

t.test('header count: 431 too_many_headers', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { maxHeaderCount: 5 })
  t.teardown(async () => { await p.close(); await up.close() })
  t.equal(status(await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}a: 1\r\nb: 2\r\nc: 3\r\n\r\n`)), 200, '5 lines')
  t.equal(status(await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}a: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n`)), 431, '6 lines')
  t.equal(await p.rejected('too_many_headers'), 1)
  t.equal(up.requests, 1)
})

t.test('URL length: 414 uri_too_long, from the screen and from the parser ceiling', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { maxUrlLength: 100 })
  t.teardown(async () => { await p.close(); await up.close() })
  t.equal(status(await rawExchange(p.port, `GET /${'a'.repeat(99)} HTTP/1.1\r\n${H}\r\n`)), 200, '100 bytes')
  const over = await rawExchange(p.port, `GET /${'a'.repeat(100)} HTTP/1.1\r\n${H}\r\n`)
  t.equal(status(over), 414)
  t.match(over.toString(), /x-shadowfig-error: SHADOWFIG_ERR_URI_TOO_LONG/)
  t.equal(status(await rawExchange(p.port, `GET /${'a'.repeat(40_000)} HTTP/1.1\r\n${H}\r\n`)), 414, 'over the parser ceiling')
  t.equal(await p.rejected('uri_too_long'), 2)
  t.equal(up.requests, 1)
})

t.test('headers timeout: 408 headers_timeout; a connection that never sent a byte is closed unanswered', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { headersTimeout: 300, requestTimeout: 2000 })
  t.teardown(async () => { await p.close(); await up.close() })
  const slow = await rawExchange(p.port, 'GET / HTTP/1.1\r\nHost: x\r\n')
  t.equal(status(slow), 408)
  const silent = await rawExchange(p.port, '')
  t.equal(silent.length, 0, 'closed without an answer')
  t.equal(await p.rejected('headers_timeout'), 2)
  t.equal(up.connections, 0)
})

t.test('request timeout: 408 request_timeout, and the upstream never sees a complete request', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { headersTimeout: 300, requestTimeout: 600 })
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nab`)
  t.equal(status(raw), 408)
  t.match(raw.toString(), /x-shadowfig-error: SHADOWFIG_ERR_REQUEST_TIMEOUT/)
  await settle()
  t.equal(await p.rejected('request_timeout'), 1)
  t.equal(up.requests, 0, 'the partial body was not completed upstream')
  t.equal(await (await import('../helpers/metrics.js')).counterValue(p.metrics, 'shadowfig_requests_total', { code_class: '4xx' }), 1, 'requests_total counts the 408')
})

t.test('keep-alive idle timeout: an idle connection is closed after keepAliveTimeout', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { keepAliveTimeout: 200 })
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  let got = ''
  s.on('data', (c: Buffer) => { got += c.toString() })
  await once(s, 'close') // the test never closes it: only the proxy's idle timeout can
  t.match(got, /^HTTP\/1\.1 200 OK[\s\S]*ok$/, 'answered, then nothing more')
  t.equal(await p.rejected('headers_timeout'), 0, 'idle keep-alive is not a slow head')
})

t.test('max connections: 503 max_connections with retry-after; connections under the limit still work', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { maxConnections: 2 })
  t.teardown(async () => { await p.close(); await up.close() })
  const held = [net.connect(p.port, '127.0.0.1'), net.connect(p.port, '127.0.0.1')]
  await Promise.all(held.map((s) => once(s, 'connect')))
  await settle(50)
  const third = await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}\r\n`)
  t.equal(status(third), 503)
  t.match(third.toString(), /\r\nretry-after: 1\r\n/)
  t.equal(await p.rejected('max_connections'), 1)
  held[0].write(`GET / HTTP/1.1\r\n${H}\r\n`)
  let first = ''
  held[0].on('data', (c: Buffer) => { first += c.toString() })
  await once(held[0], 'close')
  t.match(first, /^HTTP\/1\.1 200/, 'a connection within the limit is served')
  held[1].destroy()
  await settle(50)
  t.equal(status(await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}\r\n`)), 200, 'room again once connections closed')
  t.equal(up.requests, 2)
})

t.test('route maxBodySize on a chunked body: 413 before any response byte; the upstream request is aborted', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url, { maxBodySize: 100 }))
  t.teardown(async () => { await p.close(); await up.close() })
  const small = await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n32\r\n${'a'.repeat(50)}\r\n0\r\n\r\n`)
  t.equal(status(small), 200, 'under the limit')
  const big = await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n96\r\n${'b'.repeat(150)}\r\n0\r\n\r\n`)
  t.equal(status(big), 413)
  t.match(splitResponse(big).body.toString(), /"reason":"body_too_large"/)
  const cl = await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Content-Length: 150\r\n\r\n${'c'.repeat(150)}`)
  t.equal(status(cl), 413, 'content-length over the limit')
  await settle()
  t.equal(await p.rejected('body_too_large'), 2)
  t.equal(up.requests, 1, 'only the small body completed upstream')
  t.notOk(up.received.join('').includes('b'.repeat(150)), 'the oversized body never arrived whole')
})

t.test('route maxBodySize on a chunked body after the response started: the client connection is cut', async (t) => {
  let upstreamAborted = false
  const up = await httpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('early ')
    req.on('error', () => {})
    req.on('aborted', () => { upstreamAborted = true })
    res.on('close', () => { if (!res.writableFinished) upstreamAborted = true })
  })
  const p = await startFaultProxy(faultConfig(up.url, { maxBodySize: 100 }))
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  s.write(`POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10\r\n${'x'.repeat(16)}\r\n`)
  let got = ''
  s.on('data', (c: Buffer) => { got += c.toString() })
  s.on('error', () => {})
  while (!got.includes('early')) await once(s, 'data')
  s.write(`96\r\n${'y'.repeat(150)}\r\n`)
  await once(s, 'close')
  t.match(got, /^HTTP\/1\.1 200 OK/)
  t.notMatch(got, /\r\n0\r\n\r\n$/, 'the response never looks complete')
  await settle()
  t.ok(upstreamAborted, 'the upstream request was aborted')
  t.equal(await p.rejected('body_too_large'), 1)
})

t.test('an oversized chunked body is not mirrored', async (t) => {
  const up = await recordingUpstream()
  const cand = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url, {
    maxBodySize: 100, shadow: { candidate: 'candidate', methods: ['POST'], allowWrites: true },
  }, cand.url))
  t.teardown(async () => { await p.close(); await up.close(); await cand.close() })
  t.equal(status(await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`)), 200)
  await settle(300)
  t.equal(cand.requests, 1, 'a small body is mirrored')
  t.equal(status(await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n96\r\n${'b'.repeat(150)}\r\n0\r\n\r\n`)), 413)
  await settle(300)
  t.equal(cand.requests, 1, 'the oversized one is not')
})

t.test('a reload changes the limits of a running server', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const req = `GET / HTTP/1.1\r\n${H}a: 1\r\nb: 2\r\nc: 3\r\n\r\n`
  t.equal(status(await rawExchange(p.port, req)), 200)
  p.reload(faultConfig(up.url), { maxHeaderCount: 3, keepAliveTimeout: 1234, headersTimeout: 4321 })
  t.equal(status(await rawExchange(p.port, req)), 431)
  t.equal(p.proxy.server.keepAliveTimeout, 1234)
  t.equal(p.proxy.server.headersTimeout, 4321)
  t.equal(p.proxy.clientLimits.maxHeaderCount, 3)
})

t.test('max connections: over twice the limit Node drops the connection at accept, counted too', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url), { maxConnections: 1 })
  t.teardown(async () => { await p.close(); await up.close() })
  const held = [net.connect(p.port, '127.0.0.1'), net.connect(p.port, '127.0.0.1')]
  await Promise.all(held.map((s) => once(s, 'connect')))
  await settle(50)
  const dropped = await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}\r\n`)
  t.equal(dropped.length, 0, 'closed without an answer')
  t.equal(await p.rejected('max_connections'), 2, 'the one answered 503 (when it asks) and the one dropped')
  for (const s of held) s.destroy()
})
