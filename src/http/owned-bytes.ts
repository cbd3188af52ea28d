/**
 * Joins captured chunks into bytes that own their whole ArrayBuffer. `Buffer.concat` takes small
 * results from Node's shared 8 KiB pool, and structured cloning a pool slice (the hand-off to
 * a comparison worker) copies the entire slab; the engine then had to copy each body again
 * first. One exact-size allocation here makes the clone copy just these bytes.
 */
export function ownedBytes (chunks: readonly Buffer[], size: number): Buffer {
  if (size === 0) return Buffer.alloc(0)
  const first = chunks[0] as Buffer
  if (chunks.length === 1 && first.byteOffset === 0 && first.buffer.byteLength === size) return first
  const out = Buffer.allocUnsafeSlow(size)
  let offset = 0
  for (const c of chunks) { out.set(c, offset); offset += c.length }
  return out
}
