import { useState } from 'react'
import { rate, type Sample } from './transforms'

interface RateState { at?: number; samples: Record<string, Sample>; rates: Record<string, number | null> }

/**
 * Turns cumulative counters (keyed by id) sampled at `at` into per-second
 * rates against the previous sample. A key's rate is null until it has been
 * seen twice. (State updated during render: React's pattern for values
 * derived from the previous render.)
 */
export function useRates(at: number | undefined, counters: Record<string, number>): Record<string, number | null> {
  const [state, setState] = useState<RateState>({ samples: {}, rates: {} })
  if (at === undefined || at === state.at) return state.rates
  const samples: Record<string, Sample> = {}
  const rates: Record<string, number | null> = {}
  for (const [k, v] of Object.entries(counters)) {
    samples[k] = { at, value: v }
    rates[k] = rate(state.samples[k], samples[k])
  }
  setState({ at, samples, rates })
  return rates
}
