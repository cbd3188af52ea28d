/**
 * A client that gives up before the primary answers: the request is counted as
 * code_class="client_closed" (not as the 200 a response object defaults to), and the
 * primary request is aborted.
 */
import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { httpServer } from '../helpers/servers.js'
import { counterValue } from '../helpers/metrics.js'
import { faultConfig, settle, startFaultProxy } from './harness.js'

t.test('abandoned requests count as client_closed, answered ones by their class', async (t) => {
  let aborted = 0
  const up = await httpServer((req, res) => {
    if (req.url === '/fast') { res.end('ok'); return }
    res.on('close', () => { if (!res.writableFinished) aborted++ })
  })
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  for (let i = 0; i < 3; i++) {
    const s = net.connect(p.port, '127.0.0.1')
    await once(s, 'connect')
    s.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n')
    await settle(50)
    s.destroy()
  }
  const fast = net.connect(p.port, '127.0.0.1')
  await once(fast, 'connect')
  fast.resume()
  fast.write('GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  await once(fast, 'close')
  for (let i = 0; i < 100 && (aborted < 3 || p.proxy.requestsInFlight > 0); i++) await settle(20)
  t.equal(aborted, 3, 'each hung primary request was aborted')
  t.equal(await counterValue(p.metrics, 'shadowfig_requests_total', { code_class: 'client_closed' }), 3)
  t.equal(await counterValue(p.metrics, 'shadowfig_requests_total', { code_class: '2xx' }), 1, 'only the answered request is a 2xx')
})
