import t from 'tap'
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { send, upstreamUrl } from '../../src/replay/send.js'
import { startServer, type Closer } from '../record/helpers.js'

/** A raw TCP server for bytes that are not HTTP; closed by teardown. */
async function rawServer (t: Closer, onSocket: (s: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>()
  const server = createServer((s) => { sockets.add(s); s.on('error', () => {}); onSocket(s) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const GET = { method: 'GET', path: '/x', headers: {} }

t.test('caps the body at maxBodySize and marks it truncated', async (t) => {
  const url = await startServer(t, (_req, res) => {
    res.write('a'.repeat(50))
    setTimeout(() => { res.write('b'.repeat(50)); setTimeout(() => res.end('c'.repeat(50)), 20) }, 20)
  })
  const r = await send(url, GET, { timeout: 2000, maxBodySize: 50 })
  t.equal(r.status, 200)
  t.equal(r.truncated, true)
  t.equal(Buffer.from(r.body).toString(), 'a'.repeat(50))
  const partial = await send(url, GET, { timeout: 2000, maxBodySize: 70 })
  t.equal(Buffer.from(partial.body).toString(), 'a'.repeat(50) + 'b'.repeat(20))
  const whole = await send(url, GET, { timeout: 2000, maxBodySize: 1000 })
  t.equal(whole.truncated, false)
  t.equal(whole.body.byteLength, 150)
})

t.test('no complete response becomes a stable failure, never a throw', async (t) => {
  const closed = await rawServer(t, (s) => s.destroy())
  const garbage = await rawServer(t, (s) => s.end('HELLO THERE\r\n\r\n'))
  const silent = await rawServer(t, () => {})
  const refused = await rawServer(t, () => {})
  // A port nobody listens on: take one from a server, then close it before sending.
  const dead = new URL(refused)
  const idle = createServer()
  await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve))
  dead.port = String((idle.address() as AddressInfo).port)
  await new Promise<void>((resolve) => idle.close(() => resolve()))

  const opts = { timeout: 200, maxBodySize: 100 }
  t.equal((await send(closed, GET, opts)).failure, 'reset')
  t.equal((await send(garbage, GET, opts)).failure, 'protocol')
  t.equal((await send(silent, GET, opts)).failure, 'timeout')
  const r = await send(dead.href, GET, opts)
  t.equal(r.failure, 'connect')
  t.equal(r.status, 0)
  t.match(r.failureMessage, /ECONNREFUSED/)
})

// Failure codes: test/http/failure.test.ts (replay uses the proxy's classification).
t.test('URL joining', async (t) => {
  t.equal(upstreamUrl('http://h:1/base/', '/a?b=1').href, 'http://h:1/base/a?b=1')
  t.equal(upstreamUrl('http://h:1', '/a').href, 'http://h:1/a')
})
