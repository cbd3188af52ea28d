import t from 'tap'
import { applyRewrite, replayHeaders } from '../../src/replay/request.js'

t.test('replayed headers leave out hop-by-hop, connection-listed and redacted ones', async (t) => {
  t.same(replayHeaders({
    connection: 'keep-alive, x-hop',
    'x-hop': '1',
    host: 'shop.example',
    'content-length': '3',
    'Transfer-Encoding': 'chunked',
    cookie: '[redacted]',
    'x-multi': ['a', '[redacted]'],
    accept: 'application/json',
    'x-list': ['a', 'b'],
  }, { 'X-Extra': 'yes' }), { accept: 'application/json', 'x-list': ['a', 'b'], 'x-extra': 'yes' })
})

t.test('rewrite: path regex on the path only, headers set and removed, host', async (t) => {
  const req = { method: 'GET', path: '/api/v1/a?q=/api/v1', headers: { authorization: 'x', accept: '*/*' } }
  t.same(applyRewrite(req, undefined), req)
  t.same(applyRewrite(req, { path: { from: '^/api/v1', to: '/v2' }, headers: { remove: ['Authorization'], set: { 'X-Env': 'shadow' } }, host: 'cand.internal' }),
    { method: 'GET', path: '/v2/a?q=/api/v1', headers: { accept: '*/*', 'x-env': 'shadow', host: 'cand.internal' } })
  t.same(applyRewrite({ ...req, path: '/api/v1/b' }, { path: { from: '^/api/v1', to: '' } }).path, '/b')
})
