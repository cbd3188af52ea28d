// thread-split.ts --perf: perf's report, summed per thread group and function.
import t from 'tap'
import { existsSync, writeFileSync } from 'node:fs'
import { parsePerfReport, removePerfMap } from '../../bench/perf-sample.js'

// The shape `perf report --stdio -n --no-children --sort pid,sym -g none --field-separator=TAB` prints.
const REPORT = [
  '# To display the perf.data header info, please use --header/--header-only options.',
  '#',
  '# Samples: 15K of event \'cpu-clock\'',
  ' 11.39% \t1306       \t  31182:node   \t[k] finish_task_switch.isra.0',
  ' 1.90%  \t218        \t  31182:node   \t[.] JS:wasm-function[20]-20-turbofan',
  ' 0.64%  \t101        \t  31190:node   \t[.] v8::internal::ValueDeserializer::ReadJSObjectProperties',
  ' 0.50%  \t60         \t  31191:node   \t[k] finish_task_switch.isra.0',
  ' 0.40%  \t40         \t  31192:node   \t[.] v8::internal::ConcurrentMarking::RunMajor',
  ' 0.20%  \t7          \t  31199:node   \t[.] gone',
  '',
].join('\n')

t.test('sums samples per thread group and function, leaving out threads it cannot name', async (t) => {
  const names = new Map([[31182, 'main (client thread)'], [31190, 'comparison threads'], [31191, 'comparison threads'], [31192, 'node']])
  const groups = parsePerfReport(REPORT, (tid) => names.get(tid))
  t.same([...groups.keys()], ['main (client thread)', 'comparison threads', 'node'])
  t.same([...groups.get('main (client thread)') ?? []], [['[k] finish_task_switch.isra.0', 1306], ['[.] JS:wasm-function[20]-20-turbofan', 218]])
  t.same([...groups.get('comparison threads') ?? []], [['[.] v8::internal::ValueDeserializer::ReadJSObjectProperties', 101], ['[k] finish_task_switch.isra.0', 60]], 'two threads of one group add up')
  t.notOk([...groups.values()].some((m) => m.has('[.] gone')), 'a thread the peer no longer has is left out')
})

t.test('removes the JIT symbol map a peer left behind, and nothing when there is none', async (t) => {
  const pid = 2 ** 22 + 4242 // above the default pid_max: never a live process
  writeFileSync(`/tmp/perf-${pid}.map`, '7f00 10 JS:*f\n')
  removePerfMap(pid)
  t.notOk(existsSync(`/tmp/perf-${pid}.map`))
  t.doesNotThrow(() => removePerfMap(pid))
})
