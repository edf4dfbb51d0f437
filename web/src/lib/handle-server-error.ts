// Turns any error from `api()` into words for a person, and into a map of
// field -> message for forms when the server blamed one field.
import { ApiError, NetworkError } from './api'

const byStatus: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Please sign in to continue.',
  403: 'You do not have permission to do that.',
  404: 'We could not find what you were looking for.',
  409: 'That cannot be done any more: it changed in the meantime.',
  413: 'That request is too large.',
  422: 'Some of the details are not valid.',
  429: 'Too many requests right now. Please wait a moment and try again.',
  503: 'The service is busy. Please try again in a moment.',
}

/** One sentence (or two) for a person; never a stack trace or raw JSON. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const { detail, title, status, requestId } = err.problem
    let msg = detail || byStatus[status] || title || 'Something went wrong.'
    if (status >= 500) {
      msg = detail && status !== 500 ? detail : 'Something went wrong on our side. Please try again.'
      if (requestId) msg += ` (Reference: ${requestId})`
    }
    return msg
  }
  if (err instanceof NetworkError) return 'Could not reach the server. Check your connection and try again.'
  if (err instanceof Error && err.message) return err.message
  return 'Something went wrong.'
}

/**
 * The field the server blamed, as a dotted path relative to `prefix`
 * ("shippingAddress.postalCode" with prefix "shippingAddress" -> "postalCode").
 */
export function blamedField(err: unknown, prefix = ''): string | undefined {
  if (!(err instanceof ApiError) || !err.field) return undefined
  const f = err.field.replace(/^\/+/, '').replace(/\//g, '.')
  if (!prefix) return f
  return f.startsWith(`${prefix}.`) ? f.slice(prefix.length + 1) : undefined
}

/** For forms: `{field: message}` when the server blamed a field, else `{}`. */
export function fieldErrors(err: unknown, prefix = ''): Record<string, string> {
  const f = blamedField(err, prefix)
  return f ? { [f]: errorMessage(err) } : {}
}

export function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404
}
