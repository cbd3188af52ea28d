/**
 * Pipelined requests (RFC 9112 §9.3.2) around refusals and dying connections: nothing is
 * forwarded behind a refused request, and a queued response whose connection dies ends its
 * upstream request and leaves nothing in flight.
 */
import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { httpServer } from '../helpers/servers.js'
import { faultConfig, recordingUpstream, settle, startFaultProxy, rawExchange } from './harness.js'

t.test('a request pipelined behind a refused one is never forwarded', async (t) => {
  const up = await recordingUpstream()
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const raw = (await rawExchange(p.port, 'GET /one HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n')).toString('latin1')
  t.match(raw, /^HTTP\/1\.1 400 /)
  t.equal(raw.match(/HTTP\/1\.1/g)?.length, 1, 'one answer, then the close')
  await settle()
  t.equal(up.connections, 0, 'neither request reached the upstream')
  t.equal(p.proxy.requestsInFlight, 0)
})

t.test('a queued pipelined response whose client leaves: its upstream request is aborted, nothing stays in flight', async (t) => {
  const seen: string[] = []
  const closed: string[] = []
  const up = await httpServer((req, res) => {
    seen.push(req.url as string)
    res.on('close', () => closed.push(req.url as string))
    if (req.url === '/two') res.end('two') // answered at once, but queued behind /slow
  })
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  await once(s, 'connect')
  s.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n')
  while (seen.length < 2) await settle(20)
  t.equal(p.proxy.requestsInFlight, 2)
  s.destroy()
  for (let i = 0; i < 100 && (p.proxy.requestsInFlight > 0 || !closed.includes('/slow')); i++) await settle(20)
  t.equal(p.proxy.requestsInFlight, 0, 'both requests ended with the connection')
  t.ok(closed.includes('/slow'), 'the upstream request of the head-of-line response was aborted')
})

t.test('garbage pipelined behind a POST the primary is still running: the POST is answered first, then the 400, then close', async (t) => {
  let executed = 0
  const up = await httpServer((req, res) => {
    req.resume()
    req.on('end', () => { executed++; setTimeout(() => res.end('posted'), 300) })
  })
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const s = net.connect(p.port, '127.0.0.1')
  await once(s, 'connect')
  let raw = ''
  s.on('data', (d: Buffer) => { raw += d.toString('latin1') })
  const closed = once(s, 'close')
  s.write('POST /order HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc')
  await settle(100)
  s.write('GARBAGE \x01\r\n\r\n')
  await closed
  t.equal(executed, 1, 'the primary executed the POST')
  const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])
  t.same(statuses, ['200', '400'], 'the POST response, then the refusal')
  t.ok(raw.indexOf('posted') < raw.lastIndexOf('HTTP/1.1 400'), 'the POST body precedes the 400')
  t.match(raw.slice(raw.lastIndexOf('HTTP/1.1 400')), /connection: close/i)
  t.equal(await p.rejected('bad_request'), 1)
})
