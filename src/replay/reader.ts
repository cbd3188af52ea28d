/**
 * Streams capture records from one or more NDJSON files, in order, without loading a file
 * into memory. Blank lines are skipped; the first line that is not a valid v1 record stops
 * the stream with a `CaptureFormatError` (src/errors.ts) naming `file:line`, because replaying a partial,
 * silently-filtered capture in CI would report a pass that tested less than it claims.
 */
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { CaptureFormatError } from '../errors.js'
import { parseCaptureLine, type CaptureRecord } from '../record/format.js'

export interface CaptureEntry {
  file: string
  line: number
  record: CaptureRecord
}

export async function * readCaptures (files: readonly string[]): AsyncGenerator<CaptureEntry> {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
    let n = 0
    try {
      for await (const text of lines) {
        n++
        if (text.trim() === '') continue
        const r = parseCaptureLine(text)
        if (!r.ok) throw new CaptureFormatError(file, n, r.message)
        yield { file, line: n, record: r.record }
      }
    } finally {
      lines.close()
    }
  }
}

/** Number of non-blank lines, for a progress bar's total (one cheap pass over the bytes). */
export async function countRecords (files: readonly string[]): Promise<number> {
  let total = 0
  for (const file of files) {
    let atLineStart = true
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      for (const b of chunk) {
        if (b === 0x0a) atLineStart = true
        else if (atLineStart && b !== 0x20 && b !== 0x0d && b !== 0x09) { total++; atLineStart = false }
      }
    }
  }
  return total
}
