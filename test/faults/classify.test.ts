/** The pure parts of limits.ts: parser errors to reasons, and the server options derived. */
import t from 'tap'
import { classifyClientError } from '../../src/proxy/client-errors.js'
import { DEFAULT_CLIENT_LIMITS, serverOptions } from '../../src/proxy/limits.js'

t.test('parser and socket errors map to one reason each, or to none when the client left', async (t) => {
  t.equal(classifyClientError({ code: 'ECONNRESET' }, false), undefined)
  t.equal(classifyClientError({ code: 'EPIPE' }, true), undefined)
  t.equal(classifyClientError({}, false), 'bad_request', 'an error without a code')
  t.equal(classifyClientError({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, false), 'headers_timeout')
  t.equal(classifyClientError({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, true), 'request_timeout')
  t.equal(classifyClientError({ code: 'HPE_HEADER_OVERFLOW' }, false), 'header_too_large', 'no bytes to look at')
  t.equal(classifyClientError({ code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from('GET /aaaa') }, false), 'uri_too_long', 'no line end yet')
  t.equal(classifyClientError({ code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from('GET / HTTP/1.1\r\nx: aaaa'), bytesParsed: 20 }, false), 'header_too_large')
  t.equal(classifyClientError({ code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW' }, true), 'body_too_large')
  t.equal(classifyClientError({ code: 'HPE_UNEXPECTED_CONTENT_LENGTH' }, false), 'smuggling')
  t.equal(classifyClientError({ code: 'HPE_INVALID_METHOD' }, false), 'bad_request')
})

t.test('server options: strict parser, a ceiling over both size limits, a sweep that keeps timeouts honest', async (t) => {
  const o = serverOptions(DEFAULT_CLIENT_LIMITS)
  t.equal(o.insecureHTTPParser, false)
  t.equal(o.maxHeaderSize, DEFAULT_CLIENT_LIMITS.maxHeaderSize + DEFAULT_CLIENT_LIMITS.maxUrlLength + 1024)
  t.equal(o.connectionsCheckingInterval, 1000, '10 s / 4, capped at 1 s')
  t.equal(serverOptions({ ...DEFAULT_CLIENT_LIMITS, headersTimeout: 200, requestTimeout: 0 }).connectionsCheckingInterval, 100, 'at least 100 ms')
  t.equal(serverOptions({ ...DEFAULT_CLIENT_LIMITS, headersTimeout: 0, requestTimeout: 0 }).connectionsCheckingInterval, 250, 'timeouts off: a quiet sweep')
})
