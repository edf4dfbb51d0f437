import { describe, expect, it } from 'vitest'
import type { Item } from './api'
import {
  appendTail, cellText, columnsOf, formatAge, formatBytes, hashRangeShare, namesFromExpressions, prefixCrumbs, rate,
  shortHashKey, shortShard, valuesFromRows,
} from './transforms'

describe('console transforms', () => {
  it('places hash-key ranges in the 128-bit space', () => {
    const half = (1n << 127n).toString()
    expect(hashRangeShare('0', (1n << 127n) - 1n + '')).toEqual({ start: 0, width: 0.5 })
    expect(hashRangeShare(half, ((1n << 128n) - 1n).toString())).toEqual({ start: 0.5, width: 0.5 })
    expect(hashRangeShare('x', '1')).toEqual({ start: 0, width: 0 })
    expect(shortHashKey('170141183460469231731687303715884105728')).toBe('1.70e38')
    expect(shortHashKey('0')).toBe('0')
  })

  it('turns two samples of a counter into a rate, and nothing on a reset', () => {
    expect(rate(undefined, { at: 1000, value: 5 })).toBeNull()
    expect(rate({ at: 1000, value: 100 }, { at: 3000, value: 300 })).toBe(100)
    expect(rate({ at: 1000, value: 100 }, { at: 2000, value: 3 })).toBeNull()
    expect(rate({ at: 1000, value: 100 }, { at: 1000, value: 300 })).toBeNull()
  })

  it('formats ages, sizes and shard ids for people', () => {
    expect(formatAge(850)).toBe('850 ms')
    expect(formatAge(12_345)).toBe('12.3 s')
    expect(formatAge(240_000)).toBe('4 min')
    expect(formatAge(7_560_000)).toBe('2.1 h')
    expect(formatBytes(41)).toBe('41 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB')
    expect(shortShard('shardId-000000000003')).toBe('#3')
    expect(shortShard('other')).toBe('other')
  })

  it('shows DynamoDB JSON as plain values', () => {
    expect(cellText({ S: 'o-1' })).toBe('o-1')
    expect(cellText({ N: '12.50' })).toBe('12.5')
    expect(cellText({ N: '123456789012345678901' })).toBe('123456789012345678901')
    expect(cellText({ BOOL: false })).toBe('false')
    expect(cellText({ NULL: true })).toBe('null')
    expect(cellText({ M: { a: { N: '1' }, b: { L: [{ S: 'x' }] } } })).toBe('{"a":1,"b":["x"]}')
    expect(cellText(undefined)).toBe('')
  })

  it('orders columns: keys first, then by how often attributes appear', () => {
    const items: Item[] = [{ id: { S: '1' }, b: { S: '' }, a: { S: '' } }, { id: { S: '2' }, a: { S: '' } }]
    expect(columnsOf(items, ['id'])).toEqual(['id', 'a', 'b'])
    expect(columnsOf([], ['id', 'sk'])).toEqual(['id', 'sk'])
  })

  it('builds placeholder values and names, naming the row at fault', () => {
    expect(valuesFromRows([{ name: ':v', type: 'S', value: 'o-1' }, { name: ':n', type: 'N', value: ' 42 ' }, { name: '', type: 'S', value: '' }]))
      .toEqual({ values: { ':v': { S: 'o-1' }, ':n': { N: '42' } } })
    expect(valuesFromRows([{ name: 'v', type: 'S', value: 'x' }])).toMatchObject({ index: 0 })
    expect(valuesFromRows([{ name: ':v', type: 'S', value: 'x' }, { name: ':n', type: 'N', value: 'ten' }])).toEqual({ error: ':n is not a number', index: 1 })
    expect(namesFromExpressions('#id = :v', '#status = :s AND #id > :x')).toEqual({ '#id': 'id', '#status': 'status' })
  })

  it('splits a prefix into breadcrumbs and keeps the newest tail records', () => {
    expect(prefixCrumbs('archive/2026/')).toEqual([['archive', 'archive/'], ['2026', 'archive/2026/']])
    expect(prefixCrumbs('')).toEqual([])
    expect(appendTail([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5])
    const same = [1]
    expect(appendTail(same, [], 4)).toBe(same)
  })
})
