/** docs/errors.md lists every SHADOWFIG_ERR_* code with its status: the two never drift. */
import t from 'tap'
import { readFileSync } from 'node:fs'
import {
  ERROR_CODES, ShadowfigError, ConfigError, formatConfigIssue, BodyTooLargeError, CaptureFormatError, CaptureFullError,
  ClientAbortedError, ClusterStartError, MirrorTimeoutError, TaskAbortedError, UsageError,
} from '../src/errors.js'
import { classifyUpstreamError } from '../src/http/failure.js'

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')

t.test('every code is documented with its status', async (t) => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    t.match(doc, new RegExp(`\\| \`${code}\` \\| ${info.status} \\|`), code)
  }
})

t.test('the doc lists no code that does not exist', async (t) => {
  const listed = [...doc.matchAll(/`(SHADOWFIG_ERR_[A-Z_]+)`/g)].map((m) => m[1])
  t.same(listed.filter((c) => !(c in ERROR_CODES)), [])
})

t.test('errors carry code and status; the JSON body has no internals', async (t) => {
  const e = new ShadowfigError('SHADOWFIG_ERR_UPSTREAM_TIMEOUT')
  t.equal(e.status, 504)
  t.same(Object.keys(e.toJSON().error), ['code', 'message'])
  const c = new ConfigError([{ file: 'a.yaml', line: 3, col: 5, path: 'routes[0].primary', message: 'unknown upstream "x"' }])
  t.equal(c.code, 'SHADOWFIG_ERR_CONFIG')
  t.equal(formatConfigIssue(c.issues[0]), 'a.yaml:3:5 routes[0].primary: unknown upstream "x"')
})

t.test('the moved errors keep their fields and carry our codes', async (t) => {
  t.match(new BodyTooLargeError(10), { code: 'SHADOWFIG_ERR_BODY_TOO_LARGE', status: 413, limit: 10, name: 'BodyTooLargeError' })
  t.match(new CaptureFormatError('c.ndjson', 3, 'not JSON'), { code: 'SHADOWFIG_ERR_CAPTURE_FORMAT', file: 'c.ndjson', line: 3, message: 'c.ndjson:3 not JSON' })
  t.match(new ClusterStartError(['a', 'b'], 1), { code: 'SHADOWFIG_ERR_CLUSTER_START', errors: ['a', 'b'], exitCode: 1, message: 'a\nb' })
  t.match(new UsageError('no ROUTE'), { code: 'SHADOWFIG_ERR_USAGE', message: 'no ROUTE' })
  for (const e of [new ClientAbortedError('client_gone'), new CaptureFullError(), new TaskAbortedError('task cancelled'), new UsageError('x')]) {
    t.ok(e instanceof ShadowfigError, e.name)
    t.ok(e.code in ERROR_CODES, e.code)
  }
})

t.test('the upstream-failure classifier files the mirror timer as a timeout by our code', async (t) => {
  const e = new MirrorTimeoutError()
  t.equal(e.code, 'SHADOWFIG_ERR_MIRROR_TIMEOUT')
  t.equal(classifyUpstreamError(e), 'timeout')
})
