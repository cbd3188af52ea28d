/**
 * The V8 CPU profile format (`--cpu-prof` output) as profile-top.ts and profile-stalls.ts read
 * it, and the one way both name a frame.
 */

export interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

export interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

/** Where a frame's code lives, shortened: `src/…`, `dist/…`, `bench/…`, `node_modules/<pkg>/…`, `node:…`. */
export const whereOf = (node: ProfileNode): string => node.callFrame.url.replace(/^file:\/\//, '')
  .replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(src|bench|dist)\//, '$1/')

/** One name per function: its name, file and line. */
export function frameName (node: ProfileNode): string {
  const where = whereOf(node)
  return `${node.callFrame.functionName || '(anonymous)'} ${where ? `${where}:${node.callFrame.lineNumber + 1}` : ''}`.trim()
}
