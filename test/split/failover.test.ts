import t from 'tap'
import { canRetryOnPrimary } from '../../src/split/failover.js'

t.test('safe methods whose connection never opened are replayed on the primary', async (t) => {
  for (const m of ['GET', 'HEAD', 'OPTIONS', 'get']) t.equal(canRetryOnPrimary(m, false, 'connect'), true, m)
})

t.test('writes are never replayed, idempotent or not', async (t) => {
  for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) t.equal(canRetryOnPrimary(m, false, 'connect'), false, m)
})

t.test('a GET is not replayed once the candidate may have processed it', async (t) => {
  for (const e of ['timeout', 'reset', 'protocol'] as const) t.equal(canRetryOnPrimary('GET', false, e), false, e)
})

t.test('a request whose body bytes were sent is not replayed', async (t) => {
  t.equal(canRetryOnPrimary('GET', true, 'connect'), false)
  t.equal(canRetryOnPrimary('OPTIONS', true, 'connect'), false)
})

t.test('a connect timeout (classified as timeout) is replayable when its code says so', async (t) => {
  t.equal(canRetryOnPrimary('GET', false, 'timeout', 'UND_ERR_CONNECT_TIMEOUT'), true)
  t.equal(canRetryOnPrimary('GET', false, 'timeout', 'UND_ERR_HEADERS_TIMEOUT'), false)
  t.equal(canRetryOnPrimary('POST', false, 'timeout', 'UND_ERR_CONNECT_TIMEOUT'), false)
  t.equal(canRetryOnPrimary('GET', false, 'reset', 'UND_ERR_CONNECT_TIMEOUT'), false)
})
