const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' })
const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium' })

export function formatDateTime(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d)
}

export function formatTime(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : time.format(d)
}

const int = new Intl.NumberFormat('en-GB')
export function formatCount(n: number): string {
  return int.format(Math.round(n))
}

/** The short number the emails give an order (src/orders/notifier.cc): the
 *  last 8 characters of its id, upper case, so that "order F3D745E5" in a
 *  confirmation email can be found on the site. */
export function orderNumber(id: string): string {
  return (id.length > 8 ? id.slice(-8) : id).toUpperCase()
}

export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id
}
