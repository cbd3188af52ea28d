import t from 'tap'
import { isLoopback } from '../../src/admin/auth.js'

t.test('isLoopback', async (t) => {
  t.ok(isLoopback('127.0.0.1'))
  t.ok(isLoopback('127.4.5.6'))
  t.ok(isLoopback('::1'))
  t.ok(isLoopback('::ffff:127.0.0.1'), 'IPv4-mapped')
  t.notOk(isLoopback('::ffff:10.0.0.1'))
  t.notOk(isLoopback('192.0.2.2'))
  t.notOk(isLoopback('fd00::2'))
  t.notOk(isLoopback('127.example'), 'not an IP')
  t.notOk(isLoopback(undefined), 'socket already gone')
})
