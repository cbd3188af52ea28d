/**
 * Captured bodies own their ArrayBuffer, so the structured clone to a comparison worker copies
 * the body, not the 8 KiB pool slab (or 64 KiB read buffer) it was sliced from.
 */
import t from 'tap'
import { ownedBytes } from '../../src/http/owned-bytes.js'

t.test('joins chunks into exact-size, self-owned bytes', async (t) => {
  const pooled = [Buffer.from('{"a":'), Buffer.from('1}')]
  t.ok(pooled[0].buffer.byteLength > pooled[0].length, 'small Buffer.from results are pool slices (the case this is for)')
  const joined = ownedBytes(pooled, 7)
  t.equal(joined.toString(), '{"a":1}')
  t.equal(joined.buffer.byteLength, 7, 'the backing store is exactly the body')
  t.equal(structuredClone(joined).buffer.byteLength, 7)
  const own = Buffer.allocUnsafeSlow(3).fill('x')
  t.equal(ownedBytes([own], 3), own, 'a chunk that already owns its buffer is used as is')
  const slice = ownedBytes([Buffer.alloc(64 * 1024).subarray(0, 5)], 5)
  t.equal(slice.buffer.byteLength, 5, 'a slice of a read buffer is copied out')
  t.equal(ownedBytes([], 0).length, 0)
})
