// Fuzzes the `orders` stream-event codec. The stream is writable from outside
// through the Kinesis API, so any bytes may reach DecodeEvent: it must
// return an event or InvalidArgument, never crash or throw. A decoded event
// must survive EncodeEvent -> DecodeEvent, and encoding it again must give
// the same bytes (the encoder writes only what the decoder reads back).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "orders/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto event = orders::DecodeEvent(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!event.ok()) {
    if (!event.status().IsInvalidArgument()) std::abort();
    return 0;
  }
  std::string encoded = orders::EncodeEvent(*event);
  auto again = orders::DecodeEvent(encoded);
  if (!again.ok() || orders::EncodeEvent(*again) != encoded) std::abort();
  if (event->order) (void)orders::ToJson(*event->order);
  for (const auto& entry : event->order ? event->order->history : std::vector<orders::HistoryEntry>{}) {
    (void)orders::StatusChangeJson(event->order_id, entry);
  }
  return 0;
}
