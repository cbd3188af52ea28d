import t from 'tap'
import { declaresBodyOver } from '../../src/http/headers.js'

t.test('declaresBodyOver: a Content-Length over the limit, only where a body can follow', async (t) => {
  const cl = (v: string): string[] => ['Content-Type', 'text/plain', 'Content-Length', v]
  t.equal(declaresBodyOver('GET', 200, cl('101'), 100), true)
  t.equal(declaresBodyOver('GET', 200, cl('100'), 100), false, 'exactly the limit fits')
  t.equal(declaresBodyOver('GET', 200, ['content-length', '104857600'], 100), true, 'any case')
  t.equal(declaresBodyOver('GET', 200, ['transfer-encoding', 'chunked'], 100), false, 'no declared length: read to the cap')
  t.equal(declaresBodyOver('GET', 200, cl('abc'), 100), false, 'an unusable value declares nothing')
  t.equal(declaresBodyOver('HEAD', 200, cl('101'), 100), false, 'HEAD answers carry no body')
  for (const status of [101, 204, 304]) t.equal(declaresBodyOver('GET', status, cl('101'), 100), false, `${status} carries no body`)
})
