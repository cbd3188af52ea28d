// Example custom comparator (named in config/example.yaml): money amounts that differ by less
// than one cent are equal; every other difference found so far stands. See docs/comparators.md.
const MONEY = /(price|total|amount)$/

export default {
  name: 'money',
  compare (exchange) {
    const remaining = exchange.fields.filter((f) => !(MONEY.test(f.path) && typeof f.primary === 'number' &&
      typeof f.candidate === 'number' && Math.abs(f.primary - f.candidate) < 0.01 + 1e-9))
    if (remaining.length === exchange.fields.length) return 'continue'
    return remaining.length === 0 ? { verdict: 'match', fields: [] } : { verdict: 'mismatch', fields: remaining }
  },
}
