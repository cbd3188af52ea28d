/**
 * The one failure classification (src/http/failure.ts). `shadowfig replay` had its own copy,
 * said to classify "exactly as the proxy", which disagreed on unknown errors and on a few
 * connect errnos; the proxy's documented mapping (docs/limits.md, docs/errors.md) won, and
 * replay now calls the same function, so the cases where they differed are pinned here.
 */
import t from 'tap'
import { classifyUpstreamError } from '../../src/http/failure.js'

t.test('undici and errno codes map to the four kinds', async (t) => {
  const cases: Array<[string, string]> = [
    ['ECONNREFUSED', 'connect'], ['ENOTFOUND', 'connect'], ['EHOSTUNREACH', 'connect'], ['EAI_AGAIN', 'connect'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'], ['UND_ERR_HEADERS_TIMEOUT', 'timeout'], ['UND_ERR_BODY_TIMEOUT', 'timeout'], ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_SOCKET', 'reset'], ['ECONNRESET', 'reset'], ['EPIPE', 'reset'], ['UND_ERR_CLOSED', 'reset'], ['UND_ERR_DESTROYED', 'reset'],
    ['HPE_INVALID_CONSTANT', 'protocol'], ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'protocol'], ['UND_ERR_HEADERS_OVERFLOW', 'protocol'], ['UND_ERR_INFO', 'protocol'],
  ]
  for (const [code, kind] of cases) t.equal(classifyUpstreamError(Object.assign(new Error(code), { code })), kind, code)
})

t.test('where replay used to disagree, the proxy\'s mapping holds', async (t) => {
  // Replay called these `reset`: the connection never opened, so they are `connect` (502
  // SHADOWFIG_ERR_UPSTREAM_CONNECT), which is also what makes a split request replayable.
  for (const code of ['ECONNABORTED', 'ENETUNREACH', 'EADDRNOTAVAIL']) t.equal(classifyUpstreamError({ code }), 'connect', code)
  // Replay called an error it did not know `reset`; the proxy calls it `protocol`.
  t.equal(classifyUpstreamError(new Error('no code')), 'protocol')
  t.equal(classifyUpstreamError({ code: 'SOMETHING_NEW' }), 'protocol')
  t.equal(classifyUpstreamError(Object.assign(new Error('bad'), { name: 'HTTPParserError' })), 'protocol', 'a parser error without a code')
  t.equal(classifyUpstreamError(null), 'protocol')
  t.equal(classifyUpstreamError({ code: 42 }), 'protocol', 'a code that is not a string')
})
