/**
 * Request smuggling and parsing (RFC 9112 §2-§7): every ambiguous or malformed request is
 * answered by the proxy with its status and counter reason, and the upstream receives
 * nothing (or exactly the well-formed requests before it on the same connection).
 */
import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { splitResponse } from '../helpers/servers.js'
import { faultConfig, recordingUpstream, settle, startFaultProxy, rawExchange } from './harness.js'

const H = 'Host: x\r\nConnection: close\r\n'

interface Case { name: string, bytes: string, status: number, reason: string }

const CASES: Case[] = [
  // RFC 9112 §6.3: CL and TE together, or CL that is not one valid number, is a framing error.
  { name: 'content-length and transfer-encoding', bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400, reason: 'smuggling' },
  { name: 'duplicate differing content-length', bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`, status: 400, reason: 'smuggling' },
  { name: 'duplicate equal content-length', bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, status: 400, reason: 'smuggling' },
  { name: 'content-length list', bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`, status: 400, reason: 'smuggling' },
  { name: 'signed content-length', bytes: `POST / HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello`, status: 400, reason: 'smuggling' },
  { name: 'transfer-encoding gzip (chunked not final)', bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nabc`, status: 400, reason: 'smuggling' },
  { name: 'transfer-encoding chunked, identity', bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, status: 400, reason: 'smuggling' },
  { name: 'transfer-encoding xchunked', bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, status: 400, reason: 'smuggling' },
  // RFC 9112 §6.1: a coding the proxy does not implement before chunked is a 501, never forwarded.
  { name: 'transfer-encoding gzip, chunked', bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, status: 501, reason: 'transfer_coding' },
  { name: 'transfer-encoding chunked twice', bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400, reason: 'smuggling' },
  // RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing.
  { name: 'transfer-encoding in HTTP/1.0', bytes: `POST / HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400, reason: 'smuggling' },
  { name: 'whitespace before the colon', bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`, status: 400, reason: 'bad_request' },
  // RFC 9112 §5.2: obs-fold may be rejected with 400.
  { name: 'obsolete line folding', bytes: `GET / HTTP/1.1\r\n${H}X-A: one\r\n two\r\n\r\n`, status: 400, reason: 'bad_request' },
  { name: 'invalid header name', bytes: `GET / HTTP/1.1\r\n${H}X A: one\r\n\r\n`, status: 400, reason: 'bad_request' },
  { name: 'NUL in a header value', bytes: `GET / HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n`, status: 400, reason: 'bad_request' },
  // RFC 9112 §2.2: a bare CR must be rejected; LF-only lines are where parsers disagree.
  { name: 'bare CR in a header value', bytes: `GET / HTTP/1.1\r\n${H}X-A: a\rX-B: 1\r\n\r\n`, status: 400, reason: 'smuggling' },
  { name: 'bare LF inside a header line', bytes: `GET / HTTP/1.1\r\n${H}X-A: a\nX-B: 1\r\n\r\n`, status: 400, reason: 'smuggling' },
  { name: 'LF-only line endings', bytes: 'GET / HTTP/1.1\nHost: x\nConnection: close\n\n', status: 400, reason: 'bad_request' },
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1.
  { name: 'two Host lines', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n', status: 400, reason: 'smuggling' },
  { name: 'no Host in HTTP/1.1', bytes: 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n', status: 400, reason: 'bad_request' },
  { name: 'HTTP/0.9 request line', bytes: 'GET /\r\n\r\n', status: 400, reason: 'bad_request' },
  { name: 'unknown HTTP version', bytes: `GET / HTTP/1.2\r\n${H}\r\n`, status: 400, reason: 'bad_request' },
  { name: 'invalid method token', bytes: `G@T / HTTP/1.1\r\n${H}\r\n`, status: 400, reason: 'bad_request' },
  { name: 'HTTP/2 prior-knowledge preface', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: 400, reason: 'bad_request' },
  { name: 'TLS client hello on the plain port', bytes: '\x16\x03\x01\x00\xa5\x01\x00\x00', status: 400, reason: 'bad_request' },
  // RFC 9112 §3.2.3-§3.2.4: authority-form is for CONNECT only; asterisk-form for OPTIONS only.
  { name: 'CONNECT', bytes: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', status: 405, reason: 'bad_request' },
  { name: 'asterisk-form with GET', bytes: `GET * HTTP/1.1\r\n${H}\r\n`, status: 400, reason: 'bad_request' },
  { name: 'absolute-form with userinfo', bytes: `GET http://user:pw@x/ HTTP/1.1\r\n${H}\r\n`, status: 400, reason: 'bad_request' },
  { name: 'absolute-form with another scheme', bytes: `GET ftp://x/ HTTP/1.1\r\n${H}\r\n`, status: 400, reason: 'bad_request' },
  { name: 'relative target', bytes: `GET foo HTTP/1.1\r\n${H}\r\n`, status: 400, reason: 'bad_request' },
]

t.test('each ambiguous or malformed request: its status and reason, and nothing upstream', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const expected = new Map<string, number>()
  for (const c of CASES) {
    const raw = await rawExchange(p.port, c.bytes)
    t.match(splitResponse(raw).statusLine, new RegExp(`^HTTP/1\\.1 ${c.status} `), c.name)
    t.match(raw.toString('latin1'), /\r\nconnection: close\r\n/i, `${c.name}: the connection closes`)
    expected.set(c.reason, (expected.get(c.reason) ?? 0) + 1)
  }
  await settle()
  for (const [reason, n] of expected) t.equal(await p.rejected(reason), n, `shadowfig_rejected_total{reason="${reason}"}`)
  t.equal(up.connections, 0, 'the upstream was never even connected to')
})

t.test('CONNECT is answered 405 with Allow (RFC 9110 §15.5.6)', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = (await rawExchange(p.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')).toString()
  t.match(raw, /^HTTP\/1\.1 405 Method Not Allowed\r\n/)
  t.match(raw, /\r\nallow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE\r\n/)
})

t.test('OPTIONS * is answered by the proxy and never forwarded (RFC 9110 §9.3.7)', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = await rawExchange(p.port, `OPTIONS * HTTP/1.1\r\n${H}\r\n`)
  const r = splitResponse(raw)
  t.match(r.statusLine, /^HTTP\/1\.1 200 /)
  t.same(r.headers.find(([k]) => k === 'allow'), ['allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE'])
  t.equal(r.body.length, 0)
  t.equal(up.connections, 0)
  t.equal(await p.rejected('bad_request'), 0, 'a valid request, not a rejection')
})

t.test('a framing attack after a good request on one connection: the upstream gets exactly the good one', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  let got = ''
  s.on('data', (c: Buffer) => { got += c.toString('latin1') })
  s.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\n')
  while (!got.endsWith('ok')) await once(s, 'data')
  s.write('POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n')
  await once(s, 'close')
  t.match(got, /^HTTP\/1\.1 200 OK[\s\S]*HTTP\/1\.1 400 Bad Request/)
  await settle()
  t.equal(up.requests, 1)
  const seen = up.received.join('')
  t.match(seen, /^GET \/one HTTP\/1\.1\r\n/)
  t.notMatch(seen, /two|smuggled/)
  t.equal(await p.rejected('smuggling'), 1)
})

t.test('the same attack pipelined behind a good request in one packet: 400, nothing smuggled', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = (await rawExchange(p.port, 'GET /one HTTP/1.1\r\nHost: x\r\n\r\nPOST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n')).toString('latin1')
  // The parser meets the bad head in the same read as the good one: the connection is answered
  // 400 and closed before the first request's response could start (as Node itself would).
  t.match(raw, /HTTP\/1\.1 400 Bad Request/)
  await settle()
  t.notMatch(up.received.join(''), /two|smuggled/)
  t.ok(up.requests <= 1)
  t.equal(await p.rejected('smuggling'), 1)
})

t.test('a bad chunk mid-body: 400, and the upstream request is aborted, never completed', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n`)
  t.match(splitResponse(raw).statusLine, /^HTTP\/1\.1 400 /)
  await settle(300)
  t.equal(up.requests, 0, 'no complete request upstream')
  t.notMatch(up.received.join(''), /\r\n0\r\n\r\n/, 'no terminating chunk was invented')
  t.equal(await p.rejected('smuggling'), 1)
})

t.test('absolute-form: the target authority wins over Host for routing and forwarding (RFC 9112 §3.2.2)', async (t) => {
  const a = await recordingUpstream()
  const b = await recordingUpstream()
  const p = await startFaultProxy({
    upstreams: { a: { url: a.url }, b: { url: b.url } },
    routes: [
      { name: 'a', match: { host: 'a.test', pathPrefix: '/' }, primary: 'a', preserveHost: true },
      { name: 'b', match: { host: 'b.test', pathPrefix: '/' }, primary: 'b', preserveHost: true },
    ],
  } as never)
  t.teardown(async () => { await p.close(); await a.close(); await b.close() })
  const raw = await rawExchange(p.port, 'GET http://a.test/x?q=1 HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n')
  t.match(splitResponse(raw).statusLine, /^HTTP\/1\.1 200 /)
  await settle()
  t.equal(a.requests, 1, 'routed by the target authority')
  t.equal(b.connections, 0, 'the Host header was ignored')
  const seen = a.received.join('')
  t.match(seen, /^GET \/x\?q=1 HTTP\/1\.1\r\n/, 'origin-form upstream')
  t.match(seen, /\r\nhost: a\.test\r\n/i)
  t.match(seen, /\r\nx-forwarded-host: a\.test\r\n/i)
  t.notMatch(seen, /b\.test/)
})

t.test('header values cannot inject headers into primary or mirrored requests', async (t) => {
  const prim = await recordingUpstream()
  const cand = await recordingUpstream()
  const shadow = { candidate: 'candidate' }
  const p = await startFaultProxy({
    upstreams: { primary: { url: prim.url }, candidate: { url: cand.url } },
    routes: [
      { name: 'bad-rewrite', match: { pathPrefix: '/bad' }, primary: 'primary', shadow: { ...shadow, rewrite: { headers: { set: { 'x-env': 'shadow\r\nx-injected: from-config' } } } } },
      { name: 'all', match: { pathPrefix: '/' }, primary: 'primary', shadow },
    ],
  } as never)
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })

  // A raw CR or LF in a value never gets past the parser: nothing reaches either side.
  for (const v of ['a\rX-Injected: 1', 'a\nX-Injected: 1', 'a\r\n X-Injected: 1']) {
    const raw = await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}X-A: ${v}\r\n\r\n`)
    t.match(splitResponse(raw).statusLine, /^HTTP\/1\.1 400 /, JSON.stringify(v))
  }
  await settle(300)
  t.equal(prim.connections + cand.connections, 0, 'neither upstream was contacted')

  // Percent-encoded CR/LF is just text: it travels as one value and stays one header line.
  const raw = await rawExchange(p.port, `GET / HTTP/1.1\r\n${H}X-A: a%0d%0aX-Injected: 1\r\n\r\n`)
  t.match(splitResponse(raw).statusLine, /^HTTP\/1\.1 200 /)
  await settle(300)
  for (const [side, up] of [['primary', prim], ['candidate', cand]] as const) {
    const seen = up.received.join('')
    t.match(seen, /\r\nX-A: a%0d%0aX-Injected: 1\r\n/, `${side}: the value arrived verbatim`)
    t.notMatch(seen, /\r\nx-injected:/i, `${side}: no injected header line`)
  }

  // A rewrite value with CR/LF (from the config) is refused by undici: the mirror is not sent
  // and the client's response does not notice.
  const before = cand.requests
  t.match(splitResponse(await rawExchange(p.port, `GET /bad HTTP/1.1\r\n${H}\r\n`)).statusLine, /^HTTP\/1\.1 200 /)
  await settle(300)
  t.equal(cand.requests, before, 'no mirror for the bad rewrite')
  t.notMatch(cand.received.join(''), /from-config/)
})

t.test('chunk extensions over Node\'s cap: 413, the upstream request aborted', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = await rawExchange(p.port, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;${'e'.repeat(20_000)}\r\nhello\r\n0\r\n\r\n`)
  t.match(splitResponse(raw).statusLine, /^HTTP\/1\.1 413 /)
  await settle(300)
  t.equal(up.requests, 0)
  t.equal(await p.rejected('body_too_large'), 1)
})

t.test('dot segments in the path are refused before routing (no /api/../admin route bypass)', async (t) => {
  const { rawExchange } = await import('../helpers/servers.js')
  const { httpServer } = await import('../helpers/servers.js')
  const { simpleConfig, startProxy } = await import('../helpers/proxy.js')
  const seen: string[] = []
  const up = await httpServer((req, res) => { seen.push(req.url as string); res.end('ok') })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  for (const target of ['/api/../admin', '/api/./x', '/api/%2e%2e/admin', '/api/%2E./admin', '/..']) {
    const raw = (await rawExchange(p.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toString()
    t.match(raw, /^HTTP\/1\.1 400 /, target)
  }
  for (const target of ['/api/..data/x', '/api/v1.2/x', '/files/a..b', '/q?x=/../']) {
    const raw = (await rawExchange(p.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toString()
    t.match(raw, /^HTTP\/1\.1 200 /, `${target} is not a dot segment`)
  }
  t.same(seen, ['/api/..data/x', '/api/v1.2/x', '/files/a..b', '/q?x=/../'])
})
