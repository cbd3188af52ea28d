/**
 * Replay progress on stderr: a redrawn bar on a TTY, plain lines every `every` records
 * otherwise (CI logs keep every line, so a bar's carriage returns would only add noise).
 * Redraws happen only when the shown percentage changes, so a fast replay does not spend
 * its time writing to the terminal.
 */

export interface ProgressStream {
  write (text: string): unknown
  isTTY?: boolean
}

export interface Progress {
  tick (unexplained: number): void
  done (): void
}

const WIDTH = 30

export function createProgress (stream: ProgressStream, total: number, every = 100): Progress {
  let n = 0
  let shown = -1
  let bad = 0
  const pct = (): number => total > 0 ? Math.floor((n / total) * 100) : 100
  if (stream.isTTY) {
    const draw = (): void => {
      const filled = Math.round((pct() / 100) * WIDTH)
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${n}/${total} ${pct()}%  unexplained ${bad}`)
    }
    return {
      tick (unexplained) {
        n++
        bad = unexplained
        if (pct() !== shown) { shown = pct(); draw() }
      },
      done () { draw(); stream.write('\n') },
    }
  }
  const line = (): void => { stream.write(`replay: ${n}/${total} done, ${bad} unexplained\n`) }
  return {
    tick (unexplained) {
      n++
      bad = unexplained
      if (n % every === 0) line()
    },
    done () { if (n % every !== 0 || n === 0) line() },
  }
}
