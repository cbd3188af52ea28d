/**
 * The proxy under large bodies, slow clients, vanishing clients and misbehaving upstreams:
 * the right status and code, the upstream sees aborts, and the process never crashes.
 */
import t from 'tap'
import net from 'node:net'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { request } from 'undici'
import { closedPort, httpServer, netServer, rawExchange, splitResponse } from '../helpers/servers.js'
import { simpleConfig, startProxy } from '../helpers/proxy.js'

const MiB = 1024 * 1024
const big = Buffer.alloc(20 * MiB, 'abcdefghijklmnopqrstuvwxyz')

t.test('20 MiB upload is streamed through and arrives intact', async (t) => {
  let maxChunk = 0
  const up = await httpServer(async (req, res) => {
    const h = createHash('sha256'); let n = 0
    for await (const c of req) { h.update(c); n += c.length; maxChunk = Math.max(maxChunk, c.length) }
    res.end(JSON.stringify({ n, sha: h.digest('hex') }))
  })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const r = await request(`${p.url}/upload`, { method: 'POST', body: big, headers: { 'content-type': 'application/octet-stream' } })
  const got = await r.body.json() as { n: number, sha: string }
  t.equal(got.n, big.length)
  t.equal(got.sha, createHash('sha256').update(big).digest('hex'))
  t.ok(maxChunk < big.length, 'the body arrived in chunks, not buffered whole')
})

t.test('20 MiB download arrives intact', async (t) => {
  const up = await httpServer((_req, res) => { res.writeHead(200, { 'content-length': big.length }); res.end(big) })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const r = await request(`${p.url}/download`)
  const body = Buffer.from(await r.body.arrayBuffer())
  t.equal(body.length, big.length)
  t.ok(body.equals(big))
})

t.test('a slow-reading client pauses the upstream (backpressure)', async (t) => {
  let written = 0
  let upstreamDone = false
  const up = await httpServer((_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const pump = (): void => {
      while (written < 64 * MiB) {
        written += chunk.length
        if (!res.write(chunk)) { res.once('drain', pump); return }
      }
      res.end(); upstreamDone = true
    }
    pump()
  })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  s.write('GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  await once(s, 'data')
  s.pause() // the client stops reading
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.notOk(upstreamDone, 'upstream did not finish while the client is not reading')
  t.ok(written < 32 * MiB, `upstream wrote ${(written / MiB).toFixed(1)} MiB of 64 while the client read nothing`)
  s.destroy()
})

t.test('a client that disconnects mid-body aborts the upstream request', async (t) => {
  const upstreamClosed = new Promise<void>((resolve) => {
    void httpServer((_req, res) => {
      res.writeHead(200)
      const timer = setInterval(() => res.write('tick\n'), 10)
      res.on('close', () => { clearInterval(timer); resolve() })
    }).then(async (up) => {
      const p = await startProxy(simpleConfig(up.url))
      t.teardown(async () => { await p.close(); await up.close() })
      const s = net.connect(p.port, '127.0.0.1')
      s.write('GET /forever HTTP/1.1\r\nHost: x\r\n\r\n')
      await once(s, 'data')
      s.destroy()
    })
  })
  await upstreamClosed
  t.pass('upstream saw its response closed after the client left')
})

t.test('upstream refusing connections gives 502 SHADOWFIG_ERR_UPSTREAM_CONNECT', async (t) => {
  const p = await startProxy(simpleConfig(`http://127.0.0.1:${await closedPort()}`))
  t.teardown(() => p.close())
  const r = await request(`${p.url}/x`)
  t.equal(r.statusCode, 502)
  t.equal((await r.body.json() as { error: { code: string } }).error.code, 'SHADOWFIG_ERR_UPSTREAM_CONNECT')
})

t.test('upstream timeout gives 504 SHADOWFIG_ERR_UPSTREAM_TIMEOUT', async (t) => {
  const up = await httpServer(() => { /* never answers */ })
  const p = await startProxy({ ...simpleConfig(up.url), upstreams: { primary: { url: up.url, timeout: '300ms' } } })
  t.teardown(async () => { await p.close(); await up.close() })
  const r = await request(`${p.url}/slow`)
  t.equal(r.statusCode, 504)
  t.equal((await r.body.json() as { error: { code: string } }).error.code, 'SHADOWFIG_ERR_UPSTREAM_TIMEOUT')
})

t.test('upstream resetting mid-body: the client connection is cut, never a complete-looking response', async (t) => {
  const up = await netServer((s) => {
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial')
      setTimeout(() => s.resetAndDestroy(), 20)
    })
  })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = await rawExchange(p.port, 'GET /r HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const r = splitResponse(raw)
  t.match(r.statusLine, /200/)
  t.ok(r.body.length < 1000, `client got ${r.body.length} of 1000 bytes and then the connection closed`)
})

t.test('malformed upstream response gives 502 SHADOWFIG_ERR_UPSTREAM_PROTOCOL', async (t) => {
  const up = await netServer((s) => { s.once('data', () => s.end('NOT HTTP AT ALL\r\n\r\n')) })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const r = await request(`${p.url}/m`)
  t.equal(r.statusCode, 502)
  t.equal((await r.body.json() as { error: { code: string } }).error.code, 'SHADOWFIG_ERR_UPSTREAM_PROTOCOL')
})

t.test('103 early hints are relayed, then the final response', async (t) => {
  const up = await httpServer((_req, res) => {
    res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' })
    setTimeout(() => res.end('final'), 10)
  })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = (await rawExchange(p.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toString('latin1')
  t.match(raw, /^HTTP\/1\.1 103 Early Hints\r\n[Ll]ink: <\/style\.css>; rel=preload; as=style/)
  t.match(raw, /HTTP\/1\.1 200 OK[\s\S]*final$/)
})

t.test('Expect: 100-continue is answered by the proxy, then the body goes through', async (t) => {
  const up = await httpServer(async (req, res) => {
    let body = ''
    for await (const c of req) body += c
    res.end(`got ${body} expect=${req.headers.expect ?? 'none'}`)
  })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  s.write('POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n')
  const [first] = await once(s, 'data') as [Buffer]
  t.match(first.toString(), /^HTTP\/1\.1 100 Continue/)
  s.write('hello')
  let rest = ''
  s.on('data', (c: Buffer) => { rest += c.toString() })
  await once(s, 'close')
  t.match(rest, /got hello expect=none/)
})

t.test('a route body limit answers 413 before reading the body', async (t) => {
  const up = await httpServer((_req, res) => res.end('should not be reached'))
  const p = await startProxy({ ...simpleConfig(up.url), routes: [{ name: 'all', match: { pathPrefix: '/' }, primary: 'primary', maxBodySize: '1KiB' }] })
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = (await rawExchange(p.port, 'POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n')).toString()
  t.match(raw, /^HTTP\/1\.1 413 /)
  t.notMatch(raw, /100 Continue/)
  t.match(raw, /SHADOWFIG_ERR_BODY_TOO_LARGE/)
})

t.test('no matching route gives 404 SHADOWFIG_ERR_NO_ROUTE', async (t) => {
  const up = await httpServer((_req, res) => res.end('x'))
  const p = await startProxy({ ...simpleConfig(up.url), routes: [{ name: 'api', match: { pathPrefix: '/api' }, primary: 'primary' }] })
  t.teardown(async () => { await p.close(); await up.close() })
  const r = await request(`${p.url}/elsewhere`)
  t.equal(r.statusCode, 404)
  t.equal((await r.body.json() as { error: { code: string } }).error.code, 'SHADOWFIG_ERR_NO_ROUTE')
})

t.test('absolute-form request targets are reduced to origin-form', async (t) => {
  const up = await httpServer((req, res) => res.end(req.url))
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = await rawExchange(p.port, 'GET http://example.test/abs?q=1 HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n')
  t.equal(splitResponse(raw).body.toString(), '/abs?q=1')
})

t.test('WebSocket upgrade is tunnelled to the primary (echo)', async (t) => {
  const up = await httpServer((_req, res) => res.end())
  let upstreamSocket: import('node:stream').Duplex | undefined
  up.server.on('upgrade', (req, socket) => {
    upstreamSocket = socket
    const key = req.headers['sec-websocket-key'] as string
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    socket.on('data', (d) => socket.write(d)) // echo frames byte for byte
  })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  s.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  const [head] = await once(s, 'data') as [Buffer]
  t.match(head.toString(), /^HTTP\/1\.1 101 Switching Protocols/)
  t.match(head.toString(), /s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i)
  const frame = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e])
  s.write(frame)
  const [echo] = await once(s, 'data') as [Buffer]
  t.ok(echo.equals(frame), 'frame bytes came back unchanged')
  // The proxy half-closes (FIN) the upstream side when the client leaves; a WebSocket server
  // answers that by closing, as this one does.
  const upstreamEnded = once(upstreamSocket as import('node:stream').Duplex, 'end')
  s.destroy()
  await upstreamEnded
  upstreamSocket?.destroy()
  t.pass('the upstream side of the tunnel got FIN when the client left')
})

t.test('an Upgrade request that declares a body is refused with 400 and never reaches the primary', async (t) => {
  let upgrades = 0
  const up = await httpServer((_req, res) => res.end())
  up.server.on('upgrade', (_req, socket) => { upgrades++; socket.destroy() })
  const p = await startProxy(simpleConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = (await rawExchange(p.port, 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 30\r\n\r\n')).toString('latin1')
  t.match(raw, /^HTTP\/1\.1 400 /)
  t.match(raw, /connection: close/i)
  t.equal(upgrades, 0)
  t.equal(await p.rejected('bad_request'), 1)
})

t.test('an upstream that never completes the upgrade handshake: the client socket is cut at the client timeout', async (t) => {
  const held: import('node:stream').Duplex[] = []
  const up = await httpServer((_req, res) => res.end())
  up.server.on('upgrade', (_req, socket) => { held.push(socket) }) // never answers
  const p = await startProxy(simpleConfig(up.url), { limits: { headersTimeout: 300, requestTimeout: 400 } })
  t.teardown(async () => { for (const s of held) s.destroy(); await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  await once(s, 'connect')
  s.resume()
  s.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  // Closed by the proxy's timer; without it the socket stays open until the test's own timeout.
  await once(s, 'close')
  t.equal(held.length, 1, 'the upgrade reached the primary')
})
