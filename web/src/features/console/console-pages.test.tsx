import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { json, renderRoute } from '../../test/render'
import type { FunctionsView, OutboxView, StreamDetail, TableInfo, TailPage } from './api'
import { FunctionsPage } from './functions-page'
import { IamPage } from './iam-page'
import { LiveTail } from './live-tail'
import { OutboxPage } from './outbox-page'
import { StreamPage } from './stream-page'
import { TablesPage } from './tables-page'

let restore = () => {}
afterEach(() => restore())

const HALF = (1n << 127n).toString()
const stream = (processed: number, at: number): StreamDetail => ({
  name: 'orders', arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders', status: 'ACTIVE', retentionHours: 24,
  createdAt: 0, openShards: 2, at,
  shards: [
    { shardId: 'shardId-000000000000', parentShardId: '', adjacentParentShardId: '', startingHashKey: '0', endingHashKey: (BigInt(HALF) - 1n).toString(), startingSequenceNumber: '1', endingSequenceNumber: '', open: true, recordsInPerSecond: 7, recordsInCapped: false },
    { shardId: 'shardId-000000000001', parentShardId: '', adjacentParentShardId: '', startingHashKey: HALF, endingHashKey: ((1n << 128n) - 1n).toString(), startingSequenceNumber: '1', endingSequenceNumber: '', open: true, recordsInPerSecond: 10000, recordsInCapped: true },
  ],
  consumers: [{ mappingId: 'order-processor-orders', function: 'order-processor', state: 'Enabled', millisBehindLatest: 90_000, recordsProcessed: processed,
    shards: [{ shardId: 'shardId-000000000000', millisBehindLatest: 90_000, recordsProcessed: processed, checkpoint: '', finished: false }] }],
})

describe('StreamPage', () => {
  it('shows shards with their share of the key space, records in, and consumers with lag', async () => {
    const r = renderRoute(<StreamPage />, {
      path: '/admin/console/streams/orders', pattern: '/admin/console/streams/:name',
      api: (path) => (path.includes('/records') ? json({ stream: 'orders', records: [], skipped: 0, behind: false, cursor: '', at: 0 }) : json(stream(100, 1000))),
    })
    restore = r.restore
    const shards = await screen.findByRole('table', { name: /Shards of orders/ })
    expect(within(shards).getAllByText(/50\.0 % of the key space/)).toHaveLength(2)
    expect(within(shards).getByText('7')).toBeInTheDocument()
    expect(within(shards).getByText('≥ 10,000')).toBeInTheDocument()
    const consumers = screen.getByRole('table', { name: /Event-source mappings reading orders/ })
    expect(within(consumers).getByText('order-processor')).toBeInTheDocument()
    expect(within(consumers).getByText('2 min')).toHaveClass('warn')
  })
})

describe('FunctionsPage', () => {
  it("says why a mapping is stuck (the execution role may not read its stream)", async () => {
    const problem = 'PROBLEM: Function execution role does not have permissions to read the stream: not authorized'
    const view: FunctionsView = {
      functions: ['analytics'],
      mappings: [{ id: 'analytics-activity', function: 'analytics', stream: 'activity', state: 'Enabled', batchSize: 1000,
        maximumBatchingWindowMs: 0, tumblingWindowSeconds: 0, onFailureStream: '', lastProcessingResult: problem,
        shards: [{ shardId: 'shardId-000000000000', checkpoint: '', finished: false, invocations: 1, errors: 0,
          recordsProcessed: 1, recordsToFailureDestination: 0, millisBehindLatest: 0, problem: problem.slice(9) }] }],
    }
    const r = renderRoute(<FunctionsPage />, { path: '/admin/console/functions', api: () => json(view) })
    restore = r.restore
    const table = await screen.findByRole('table', { name: /Event-source mappings/ })
    expect(within(table).getByText(problem)).toHaveClass('bad')
  })
})

describe('LiveTail', () => {
  it('starts from the last seconds, then asks only for what came after its cursor', async () => {
    const asked: URL[] = []
    const pages: TailPage[] = [
      { stream: 's', records: [{ shardId: 'shardId-000000000000', sequenceNumber: '1', partitionKey: 'u-1', arrivedAt: 0, size: 9, truncated: false, encoding: 'text', data: '{"a": 1}' }], skipped: 0, behind: false, cursor: 'shardId-000000000000:1', at: 0 },
      { stream: 's', records: [{ shardId: 'shardId-000000000000', sequenceNumber: '2', partitionKey: 'u-2', arrivedAt: 1, size: 3, truncated: false, encoding: 'base64', data: 'AP8B' }], skipped: 5, behind: false, cursor: 'shardId-000000000000:2', at: 1 },
    ]
    const r = renderRoute(<LiveTail stream="s" everyMs={5} />, {
      path: '/', api: (path) => {
        asked.push(new URL(path, 'http://x'))
        const empty: TailPage = { ...pages[1], records: [], skipped: 0 }
        return json(asked.length <= 2 ? pages[asked.length - 1] : empty)
      },
    })
    restore = r.restore
    const list = await screen.findByRole('list', { name: 'Records of s' })
    expect(await within(list).findByText('AP8B')).toBeInTheDocument()
    expect(within(list).getByText('{"a":1}')).toBeInTheDocument()
    expect(screen.getByText(/5 skipped to keep up/)).toBeInTheDocument()
    expect(asked[0].searchParams.get('since')).toBe('10')
    expect(asked[0].searchParams.get('cursor')).toBeNull()
    expect(asked[1].searchParams.get('cursor')).toBe('shardId-000000000000:1')

    await userEvent.click(screen.getByRole('button', { name: 'Pause' }))
    expect(await screen.findByText('Paused')).toBeInTheDocument()
    const n = asked.length
    await new Promise((done) => setTimeout(done, 30))
    expect(asked.length).toBe(n)
  })
})

const ordersTable: TableInfo = {
  name: 'shop-orders', itemCount: 1, keySchema: [{ name: 'id', type: 'HASH' }], attributes: { id: 'S' },
  indexes: [{ name: 'byCustomer', keySchema: [{ name: 'customerId', type: 'HASH' }] }], ttlAttribute: '', createdAt: 0,
}

describe('TablesPage', () => {
  it('browses, then runs a key-condition query with names and typed values', async () => {
    const bodies: unknown[] = []
    const r = renderRoute(<TablesPage />, {
      path: '/admin/console/tables/shop-orders', pattern: '/admin/console/tables/:name',
      api: (path, init) => {
        if (path === '/api/admin/tables') return json({ items: [ordersTable] })
        const body = JSON.parse(String(init.body))
        bodies.push(body)
        if (body.keyCondition === '#id =') return json({ status: 400, title: 'Bad Request', detail: 'syntax error at the end of the key condition', field: 'keyCondition' }, 400)
        return json({ items: [{ id: { S: 'o-1' }, total: { N: '1999' }, passwordHash: { S: '[redacted]' } }], count: 1, scannedCount: 1, lastKey: null, redacted: ['passwordHash'] })
      },
    })
    restore = r.restore
    const table = await screen.findByRole('table', { name: 'Items of shop-orders' })
    expect(within(table).getByText('o-1')).toBeInTheDocument()
    expect(bodies[0]).toEqual({ limit: 25 })
    expect(screen.getByText(/Hidden for safety: passwordHash/)).toBeInTheDocument()

    await userEvent.type(screen.getByLabelText('Key condition'), '#id = :v')
    await userEvent.type(screen.getByLabelText('Value of placeholder 1'), 'o-1')
    await userEvent.click(screen.getByRole('button', { name: 'Run query' }))
    await waitFor(() => expect(bodies).toHaveLength(2))
    expect(bodies[1]).toEqual({ keyCondition: '#id = :v', names: { '#id': 'id' }, values: { ':v': { S: 'o-1' } }, limit: 25 })

    await userEvent.clear(screen.getByLabelText('Key condition'))
    await userEvent.type(screen.getByLabelText('Key condition'), '#id = ')
    await userEvent.click(screen.getByRole('button', { name: 'Run query' }))
    expect(await screen.findByText('The key condition is not valid')).toBeInTheDocument()
    expect(screen.getByText(/syntax error at the end of the key condition/)).toBeInTheDocument()
  })

  it('says which value row is wrong before asking the server', async () => {
    const r = renderRoute(<TablesPage />, {
      path: '/admin/console/tables/shop-orders', pattern: '/admin/console/tables/:name',
      api: (path) => (path === '/api/admin/tables' ? json({ items: [ordersTable] }) : json({ items: [], count: 0, scannedCount: 0, lastKey: null, redacted: [] })),
    })
    restore = r.restore
    await screen.findByLabelText('Key condition')
    await userEvent.selectOptions(screen.getByLabelText('Type of placeholder 1'), 'N')
    await userEvent.type(screen.getByLabelText('Value of placeholder 1'), 'ten')
    await userEvent.click(screen.getByRole('button', { name: 'Browse items' }))
    expect(await screen.findByRole('alert')).toHaveTextContent(':v is not a number')
    expect(screen.getByLabelText('Value of placeholder 1')).toHaveAttribute('aria-invalid', 'true')
  })
})

describe('OutboxPage', () => {
  it('lists failed emails with counts and sends one again', async () => {
    const posted: unknown[] = []
    const view: OutboxView = {
      state: 'FAILED', counts: { QUEUED: 0, SENT: 10000, FAILED: 1 }, countLimit: 10000,
      items: [{ id: 'o-1/CONFIRMED', state: 'FAILED', attempts: 20, nextAttemptAt: 0, lastError: '550 mailbox unavailable', messageId: '<x@rivulet>', to: 'ada@example.com', subject: 'Your order is confirmed', createdAt: 1, sentAt: 0, updatedAt: 2 }],
    }
    const r = renderRoute(<OutboxPage />, {
      path: '/admin/console/outbox?state=FAILED', pattern: '/admin/console/outbox',
      api: (path, init) => {
        if (path === '/api/admin/outbox/requeue') { posted.push(JSON.parse(String(init.body))); return json({ ...view.items[0], state: 'QUEUED' }) }
        return json(view)
      },
    })
    restore = r.restore
    expect(await screen.findByText('550 mailbox unavailable')).toBeInTheDocument()
    expect(screen.getByRole('radio', { name: /Sent/ })).toHaveTextContent('10,000+')  // the server stopped counting
    expect(screen.getByRole('radio', { name: /Failed/ })).toHaveTextContent('1')
    expect(screen.getByRole('radio', { name: /Failed/ })).toHaveAttribute('aria-checked', 'true')
    await userEvent.click(screen.getByRole('button', { name: 'Send again: Your order is confirmed to ada@example.com' }))
    expect(await screen.findByText('The email to ada@example.com is queued again.')).toBeInTheDocument()
    expect(posted).toEqual([{ id: 'o-1/CONFIRMED' }])
  })
})

describe('IamPage', () => {
  it('says clearly when the server has no IAM', async () => {
    const r = renderRoute(<IamPage />, {
      path: '/admin/console/iam',
      api: () => json({ type: 'urn:rivulet:problem:iam-unavailable', title: 'IAM not available', status: 503, detail: 'no IAM yet' }, 503),
    })
    restore = r.restore
    expect(await screen.findByText('IAM not available')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Evaluate' })).toBeNull()
  })

  it('lists users, roles and policies and explains a decision', async () => {
    const posted: unknown[] = []
    const r = renderRoute(<IamPage />, {
      path: '/admin/console/iam',
      api: (path, init) => {
        if (path.endsWith('/users')) return json({ items: [{ name: 'loadgen', arn: 'arn:aws:iam::000000000000:user/loadgen', createdAt: 0, attachedPolicies: ['writer'] }] })
        if (path.endsWith('/roles')) return json({ items: [{ name: 'rivulet-order-processor', arn: 'arn:aws:iam::000000000000:role/rivulet-order-processor', createdAt: 0, attachedPolicies: [], inlinePolicies: ['least-privilege'] }] })
        if (path.endsWith('/policies')) return json({ items: [{ name: 'writer', arn: 'arn:p', document: { Version: '2012-10-17' }, attachments: 1 }, { name: 'rivulet-order-processor/least-privilege', arn: 'arn:r#least-privilege', document: {}, attachments: 1, inline: true, owner: 'arn:r' }] })
        posted.push(JSON.parse(String(init.body)))
        return json({ decision: 'explicitDeny', reason: 'Statement DenyDelete in writer denies kinesis:DeleteStream.', matched: [{ policy: 'writer', sid: 'DenyDelete', effect: 'Deny', statement: {} }] })
      },
    })
    restore = r.restore
    expect(await screen.findByText('loadgen')).toBeInTheDocument()
    await userEvent.type(screen.getByLabelText('User or role'), 'loadgen')
    await userEvent.type(screen.getByLabelText('Action'), 'kinesis:DeleteStream')
    await userEvent.type(screen.getByLabelText('Resource'), 'arn:aws:kinesis:us-east-1:000000000000:stream/orders')
    await userEvent.click(screen.getByRole('button', { name: 'Evaluate' }))
    expect(await screen.findByText('Denied by an explicit Deny')).toBeInTheDocument()
    expect(screen.getByText(/Statement DenyDelete in writer/)).toBeInTheDocument()
    expect(posted).toEqual([{ principal: 'loadgen', action: 'kinesis:DeleteStream', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders' }])
    expect(screen.getByText('least-privilege (inline)')).toBeInTheDocument()
    expect(screen.getByText('inline')).toBeInTheDocument()
  })
})
