/**
 * The method sets of src/http/methods.ts, which replaced copies in shadow/, replay/, split/,
 * proxy/forward.ts and config/crossref.ts. Safe and retryable differ on purpose (TRACE).
 */
import t from 'tap'
import { HTTP_METHODS, RETRYABLE_METHODS, SAFE_METHODS } from '../../src/http/methods.js'
import { canRetryOnPrimary } from '../../src/split/failover.js'

t.test('safe methods are RFC 9110 §9.2.1\'s four; the rest of the forwarded methods are not', async (t) => {
  t.same([...SAFE_METHODS].sort(), ['GET', 'HEAD', 'OPTIONS', 'TRACE'])
  t.same(HTTP_METHODS.filter((m) => !SAFE_METHODS.has(m)), ['POST', 'PUT', 'PATCH', 'DELETE'])
})

t.test('the proxy resends only GET, HEAD and OPTIONS: safe, but never TRACE', async (t) => {
  t.same([...RETRYABLE_METHODS].sort(), ['GET', 'HEAD', 'OPTIONS'])
  for (const m of RETRYABLE_METHODS) t.ok(SAFE_METHODS.has(m), `${m} is safe`)
  t.equal(canRetryOnPrimary('TRACE', false, 'connect'), false, 'a TRACE is not failed over')
})
