// Benchmark backends: exact body sizes, candidate differences that normalize away, 404 off the
// one route, configured latency, keep-alive over a raw socket, and a closed port that refuses.
import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { makeBody, startBackend, closedPort, KiB, MiB } from '../../bench/backends.js'

t.test('bodies are valid JSON of exactly the asked size, same items in both variants', async (t) => {
  for (const size of [300, KiB, 2 * KiB, 100 * KiB, MiB]) {
    const p = makeBody(size, 'primary')
    const c = makeBody(size, 'candidate')
    t.equal(p.length, size)
    t.equal(c.length, size)
    const pj = JSON.parse(p.toString()) as { total: number, generated_at: string, pad: string, items: Array<{ id: number }> }
    const cj = JSON.parse(c.toString()) as typeof pj
    t.same(cj.items.map((i) => i.id).sort((a, b) => a - b), pj.items.map((i) => i.id), `${size}: same item ids`)
    t.not(cj.generated_at, pj.generated_at)
    t.equal(cj.pad.length, pj.pad.length, 'padding identical: the only differences are the normalizable ones')
    t.equal(Math.round(cj.total * 100), Math.round(pj.total * 100), 'totals agree at 2 decimals')
  }
})

t.test('serves GET /json/<bytes>, 404 elsewhere, after the configured latency', async (t) => {
  const be = await startBackend({ variant: 'candidate', latencyMs: 30 })
  t.teardown(be.close)
  const t0 = Date.now()
  const res = await fetch(`http://127.0.0.1:${be.port}/json/2048`)
  t.equal(res.status, 200)
  t.equal(res.headers.get('content-type'), 'application/json')
  t.equal((await res.arrayBuffer()).byteLength, 2048)
  t.ok(Date.now() - t0 >= 25, 'answered no sooner than the latency')
  const again = await fetch(`http://127.0.0.1:${be.port}/json/2048`)
  t.equal((await again.arrayBuffer()).byteLength, 2048, 'cached body served again')
  t.equal((await fetch(`http://127.0.0.1:${be.port}/other`)).status, 404)
  t.equal((await fetch(`http://127.0.0.1:${be.port}/json/${65 * MiB}`)).status, 404, 'absurd sizes refused')
})

t.test('a port in use is an error, and closedPort refuses connections', async (t) => {
  const be = await startBackend({ variant: 'primary' })
  t.teardown(be.close)
  await t.rejects(startBackend({ variant: 'primary', port: be.port }), { code: 'EADDRINUSE' })
  const port = await closedPort()
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    net.connect(port, '127.0.0.1').once('error', resolve)
  })
  t.equal(err.code, 'ECONNREFUSED')
})

t.test('keep-alive: requests split across packets and back to back on one connection', async (t) => {
  const be = await startBackend({ variant: 'primary' })
  t.teardown(() => be.close())
  const sock = net.connect(be.port, '127.0.0.1')
  await once(sock, 'connect')
  let got = ''
  sock.setEncoding('latin1').on('data', (d: string) => { got += d })
  sock.write('GET /json/300 HTTP/1.1\r\nhost: x\r\n')
  await new Promise((resolve) => setTimeout(resolve, 20))
  sock.write('\r\nGET /json/300 HTTP/1.1\r\nhost: x\r\n\r\nGET /nope HTTP/1.1\r\nconnection: close\r\n\r\n')
  await once(sock, 'close')
  t.equal(got.match(/HTTP\/1\.1 200 OK/g)?.length, 2, 'two answers on one connection')
  t.match(got, /content-length: 300\r\n/)
  t.match(got, /HTTP\/1\.1 404 Not Found[\s\S]*use GET/, 'then the 404, and the connection closes as asked')
})
