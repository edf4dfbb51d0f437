import type { Product } from '../../lib/types'

// A calm, stable colour per category for products without a picture.
const hues = [210, 160, 28, 280, 340, 190, 95, 250]
function hueFor(s: string): number {
  let h = 0
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return hues[h % hues.length]
}

export function ProductImage({ product, size = 'card' }: { product: Pick<Product, 'name' | 'category' | 'imageUrl'>; size?: 'card' | 'large' }) {
  if (product.imageUrl)
    return <img className={`pimg pimg--${size}`} src={product.imageUrl} alt="" loading="lazy" decoding="async" />
  // The category picks the colour family, the name a nearby shade.
  const h = (hueFor(product.category || product.name) + (hueFor(product.name) % 5) * 9) % 360
  const initials = product.name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('')
  return (
    <div
      className={`pimg pimg--${size} pimg--placeholder`}
      style={{ background: `linear-gradient(135deg, hsl(${h} 70% 92%), hsl(${(h + 30) % 360} 65% 84%))`, color: `hsl(${h} 45% 30%)` }}
      aria-hidden="true"
    >
      {initials}
    </div>
  )
}
