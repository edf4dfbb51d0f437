// The demo catalog seeded at first start (orders.seed_demo, default true).
// Prices in EUR cents; ids are stable because orders and analytics refer to them.
#include "orders/catalog.h"

namespace orders {

const std::vector<Product>& DemoProducts() {
  static const std::vector<Product> kProducts = {
      {"p-001", "Ethiopia Yirgacheffe Beans 250 g", "Washed single-origin beans with notes of jasmine, bergamot and lemon; light roast for filter.", 1290, "EUR", 80, "Coffee", ""},
      {"p-002", "Colombia Huila Beans 1 kg", "Balanced medium roast with caramel sweetness and red apple acidity; a daily espresso.", 3490, "EUR", 200, "Coffee", ""},
      {"p-003", "House Espresso Blend 500 g", "Brazil and Guatemala blend roasted for a thick crema and chocolate finish.", 1690, "EUR", 60, "Coffee", ""},
      {"p-004", "Decaf Mexico Beans 250 g", "Swiss-water decaffeinated, nutty and mild, for evenings.", 1190, "EUR", 150, "Coffee", ""},
      {"p-005", "Cold Brew Coarse Grind 500 g", "Coarsely ground dark roast made for 12-hour cold brewing.", 1390, "EUR", 40, "Coffee", ""},
      {"p-006", "Kenya AA Beans 250 g", "Bright blackcurrant and grapefruit; a bold filter coffee.", 1490, "EUR", 90, "Coffee", ""},
      {"p-007", "Guatemala Antigua Beans 250 g", "Cocoa, spice and a smoky finish from volcanic soil.", 1250, "EUR", 250, "Coffee", ""},
      {"p-008", "Darjeeling First Flush 100 g", "Spring-picked muscatel black tea from the Himalayan foothills.", 1450, "EUR", 70, "Tea", ""},
      {"p-009", "Japanese Sencha 100 g", "Steamed green tea with a grassy sweetness; brew at 70 °C.", 990, "EUR", 110, "Tea", ""},
      {"p-010", "Earl Grey Classic 200 g", "Ceylon black tea with Calabrian bergamot oil.", 890, "EUR", 120, "Tea", ""},
      {"p-011", "Chamomile Blossoms 50 g", "Whole dried flowers for a calm caffeine-free infusion.", 650, "EUR", 80, "Tea", ""},
      {"p-012", "Matcha Ceremonial Grade 30 g", "Stone-ground tencha from Uji for whisked matcha.", 2490, "EUR", 200, "Tea", ""},
      {"p-013", "Masala Chai Blend 150 g", "Assam with cardamom, cinnamon, ginger and clove.", 790, "EUR", 60, "Tea", ""},
      {"p-014", "Pour-Over Dripper", "Ceramic cone dripper with spiral ribs for an even extraction.", 2290, "EUR", 150, "Kitchen", ""},
      {"p-015", "Gooseneck Kettle 1 l", "Stainless kettle with a thermometer and a precise spout.", 4990, "EUR", 40, "Kitchen", ""},
      {"p-016", "Burr Grinder", "Conical steel burrs with 40 grind settings, espresso to French press.", 12900, "EUR", 90, "Kitchen", ""},
      {"p-017", "French Press 800 ml", "Borosilicate glass press with a double steel mesh filter.", 2990, "EUR", 250, "Kitchen", ""},
      {"p-018", "Digital Scale 0.1 g", "Scale with a built-in timer for brewing by weight.", 3490, "EUR", 70, "Kitchen", ""},
      {"p-019", "Paper Filters (100)", "Unbleached filters sized for the pour-over dripper.", 590, "EUR", 110, "Kitchen", ""},
      {"p-020", "Milk Frother", "Handheld frother for lattes and matcha.", 1490, "EUR", 120, "Kitchen", ""},
      {"p-021", "Cast Iron Skillet 26 cm", "Pre-seasoned skillet that goes from stove to oven.", 3990, "EUR", 80, "Kitchen", ""},
      {"p-022", "The World Atlas of Coffee", "From bean to cup: origins, processing and brewing around the world.", 2999, "EUR", 200, "Books", ""},
      {"p-023", "Designing Data-Intensive Applications", "Reliable, scalable and maintainable systems, explained with care.", 4490, "EUR", 60, "Books", ""},
      {"p-024", "The Art of Fermentation", "An in-depth guide to fermenting vegetables, grains and drinks.", 3590, "EUR", 150, "Books", ""},
      {"p-025", "Salt Fat Acid Heat", "The four elements of good cooking, with illustrations.", 3290, "EUR", 40, "Books", ""},
      {"p-026", "A Field Guide to Birds", "Six hundred species with maps and colour plates.", 2490, "EUR", 90, "Books", ""},
      {"p-027", "Stream Processing in Practice", "Windows, watermarks and exactly-once, with worked examples.", 3990, "EUR", 250, "Books", ""},
      {"p-028", "The Pragmatic Programmer", "Timeless advice for working software developers.", 3790, "EUR", 70, "Books", ""},
      {"p-029", "Wireless Headphones", "Over-ear headphones with noise cancelling and 30 hours of battery.", 19900, "EUR", 110, "Audio", ""},
      {"p-030", "Bluetooth Speaker", "Water-resistant portable speaker with a deep bass driver.", 7990, "EUR", 120, "Audio", ""},
      {"p-031", "USB Microphone", "Cardioid condenser microphone for podcasts and calls.", 8990, "EUR", 80, "Audio", ""},
      {"p-032", "In-Ear Monitors", "Wired earphones with a balanced armature and detachable cable.", 12900, "EUR", 200, "Audio", ""},
      {"p-033", "Record Player", "Belt-drive turntable with a built-in phono preamp.", 24900, "EUR", 60, "Audio", ""},
      {"p-034", "Headphone Stand", "Walnut stand that keeps cables tidy.", 3490, "EUR", 150, "Audio", ""},
      {"p-035", "Trail Running Shoes", "Light shoes with a grippy outsole for muddy paths.", 12900, "EUR", 40, "Outdoor", ""},
      {"p-036", "Insulated Bottle 750 ml", "Keeps drinks cold for 24 hours or hot for 12.", 2990, "EUR", 90, "Outdoor", ""},
      {"p-037", "Camping Stove", "Compact gas stove that boils a litre in three minutes.", 5490, "EUR", 250, "Outdoor", ""},
      {"p-038", "Down Sleeping Bag", "Comfortable to -5 °C and packs to the size of a melon.", 21900, "EUR", 70, "Outdoor", ""},
      {"p-039", "Headlamp 400 lm", "Rechargeable headlamp with a red night mode.", 3990, "EUR", 110, "Outdoor", ""},
      {"p-040", "Trekking Poles (pair)", "Carbon poles with cork grips, folding to 38 cm.", 8990, "EUR", 120, "Outdoor", ""},
      {"p-041", "Daypack 22 l", "Ventilated back panel, rain cover and hip belt.", 6990, "EUR", 80, "Outdoor", ""},
      {"p-042", "Dotted Notebook A5", "192 pages of 100 g paper that takes fountain pen ink.", 1890, "EUR", 200, "Stationery", ""},
      {"p-043", "Fountain Pen", "Steel nib pen with a converter for bottled ink.", 2490, "EUR", 60, "Stationery", ""},
      {"p-044", "Ink Bottle Blue-Black 50 ml", "Water-resistant ink that dries quickly.", 1290, "EUR", 150, "Stationery", ""},
      {"p-045", "Mechanical Pencil 0.5 mm", "Brass body with a knurled grip.", 1590, "EUR", 40, "Stationery", ""},
      {"p-046", "Desk Organizer", "Oak tray for pens, cards and a phone.", 2990, "EUR", 90, "Stationery", ""},
      {"p-047", "Weekly Planner 2027", "Undated layout with space for notes and habits.", 1690, "EUR", 250, "Stationery", ""},
      {"p-048", "Linen Throw Blanket", "Stonewashed linen in oatmeal, 130 x 170 cm.", 6990, "EUR", 70, "Home", ""},
      {"p-049", "Scented Candle Cedar", "Soy wax candle with 50 hours of burn time.", 2490, "EUR", 110, "Home", ""},
      {"p-050", "Ceramic Mug Set (4)", "Stoneware mugs with a speckled glaze, 350 ml each.", 3990, "EUR", 120, "Home", ""},
      {"p-051", "Desk Lamp", "Dimmable LED lamp with a warm colour temperature.", 5990, "EUR", 80, "Home", ""},
      {"p-052", "Wool Slippers", "Felted wool slippers with a natural rubber sole.", 4490, "EUR", 200, "Home", ""},
      {"p-053", "Indoor Plant Pot", "Terracotta pot with a saucer, 18 cm.", 1990, "EUR", 60, "Home", ""},
  };
  return kProducts;
}

}  // namespace orders
