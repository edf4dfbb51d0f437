// codec_bench: the `orders` stream-event codec on one core (Google
// Benchmark), beside the nlohmann::json version it replaced, in one run:
//   decode  DecodeEvent of a typical OrderPlaced event (3 lines, address,
//           history), which every consumer of the stream does;
//   encode  EncodeEvent of the same event (order-processor, the API);
//   api     ToJson of the same order (GET /api/orders/{id}, order lists).
// The baseline below is the nlohmann code as it was, so both columns run on
// the same machine in the same minute. Each benchmark is repeated; the
// summary prints the median and p99 of the repetitions' CPU ns/op and the
// ratio baseline/ours.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "side_by_side.h"
#include "orders/model.h"

namespace {

using orders::Event;
using orders::Order;

// ---- The baseline: the nlohmann::json codec before simdjson --------------

namespace baseline {

using json = nlohmann::json;
using orders::Address;
using orders::HistoryEntry;
using orders::OrderLine;
using orders::ParseStatus;
using orders::StatusName;

std::string FormatTime(int64_t millis) {
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis % 1000));
  return buf;
}

json AddressJson(const Address& a) {
  json j = {{"name", a.name}, {"line1", a.line1}, {"city", a.city}, {"postalCode", a.postal_code},
            {"country", a.country}};
  if (!a.line2.empty()) j["line2"] = a.line2;
  return j;
}
Address AddressFromJson(const json& j) {
  Address a;
  a.name = j.value("name", "");
  a.line1 = j.value("line1", "");
  a.line2 = j.value("line2", "");
  a.city = j.value("city", "");
  a.postal_code = j.value("postalCode", "");
  a.country = j.value("country", "");
  return a;
}

std::string ToJson(const Order& order) {
  json items = json::array();
  for (const auto& l : order.items) {
    items.push_back({{"productId", l.product_id}, {"name", l.name}, {"quantity", l.quantity},
                     {"unitPrice", l.unit_price}, {"lineTotal", l.line_total}});
  }
  json history = json::array();
  for (const auto& h : order.history) {
    json e = {{"status", StatusName(h.status)}, {"at", FormatTime(h.at_millis)}};
    if (!h.reason.empty()) e["reason"] = h.reason;
    history.push_back(std::move(e));
  }
  json j = {{"id", order.id},
            {"customerId", order.customer_id},
            {"status", StatusName(order.status)},
            {"items", std::move(items)},
            {"total", order.total},
            {"currency", order.currency},
            {"shippingAddress", AddressJson(order.shipping_address)},
            {"createdAt", FormatTime(order.created_millis)},
            {"updatedAt", FormatTime(order.updated_millis)},
            {"history", std::move(history)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json OrderEventJson(const Order& order) {
  json j = json::parse(baseline::ToJson(order));
  j["customerEmail"] = order.customer_email;
  j["customerName"] = order.customer_name;
  j["createdMillis"] = order.created_millis;
  j["updatedMillis"] = order.updated_millis;
  for (size_t i = 0; i < order.items.size(); ++i) j["items"][i]["category"] = order.items[i].category;
  json history = json::array();
  for (const auto& h : order.history) {
    json e = {{"status", StatusName(h.status)}, {"atMillis", h.at_millis}};
    if (!h.reason.empty()) e["reason"] = h.reason;
    history.push_back(e);
  }
  j["history"] = history;
  return j;
}

common::Result<Order> OrderFromEventJson(const json& j) {
  Order o;
  o.id = j.at("id").get<std::string>();
  o.customer_id = j.at("customerId").get<std::string>();
  o.customer_email = j.value("customerEmail", "");
  o.customer_name = j.value("customerName", "");
  ASSIGN_OR_RETURN(o.status, ParseStatus(j.value("status", "PLACED")));
  for (const auto& line : j.at("items")) {
    OrderLine l;
    l.product_id = line.at("productId").get<std::string>();
    l.name = line.value("name", "");
    l.category = line.value("category", "");
    l.quantity = line.at("quantity").get<int64_t>();
    l.unit_price = line.at("unitPrice").get<int64_t>();
    l.line_total = line.at("lineTotal").get<int64_t>();
    o.items.push_back(std::move(l));
  }
  o.total = j.at("total").get<int64_t>();
  o.currency = j.at("currency").get<std::string>();
  if (j.contains("shippingAddress")) o.shipping_address = AddressFromJson(j["shippingAddress"]);
  o.created_millis = j.value("createdMillis", int64_t{0});
  o.updated_millis = j.value("updatedMillis", int64_t{0});
  if (j.contains("history")) {
    for (const auto& h : j["history"]) {
      HistoryEntry e;
      ASSIGN_OR_RETURN(e.status, ParseStatus(h.value("status", "")));
      e.at_millis = h.value("atMillis", int64_t{0});
      e.reason = h.value("reason", "");
      o.history.push_back(std::move(e));
    }
  }
  return o;
}

// Only the OrderPlaced paths of EncodeEvent and DecodeEvent: the ones measured.
std::string EncodeEvent(const Event& event) {
  json j = {{"type", event.type}, {"eventId", event.event_id}, {"at", event.at_millis}};
  j["order"] = OrderEventJson(*event.order);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

common::Result<Event> DecodeEvent(std::string_view data) {
  json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return common::Status::InvalidArgument("event is not a JSON object");
  try {
    Event e;
    e.type = j.at("type").get<std::string>();
    e.event_id = j.at("eventId").get<std::string>();
    e.at_millis = j.value("at", int64_t{0});
    if (e.event_id.empty()) return common::Status::InvalidArgument("event without eventId");
    ASSIGN_OR_RETURN(Order order, OrderFromEventJson(j.at("order")));
    e.order_id = order.id;
    e.customer_id = order.customer_id;
    e.order = std::move(order);
    return e;
  } catch (const json::exception& ex) {
    return common::Status::InvalidArgument(std::string("malformed event: ") + ex.what());
  }
}

}  // namespace baseline

// ---- The workload -----------------------------------------------------------

// A typical web-shop order as the API places it: three lines, an address,
// the PLACED history entry. About 1 KB of JSON as an event.
Event TypicalPlacedEvent() {
  Order o;
  o.id = "01JDQ8Z6W3K5N7P9R2T4V6X8YA";
  o.customer_id = "u-7f3c9a12e4b84d0f";
  o.customer_email = "zoe.martin@example.com";
  o.customer_name = "Zoë Martin";
  o.items = {{"p-014", "Ethiopia Yirgacheffe, whole beans 500 g", "Coffee", 2, 1490, 2980},
             {"p-031", "Stoneware pour-over dripper", "Brewing", 1, 2450, 2450},
             {"p-047", "Unbleached paper filters (100)", "Brewing", 3, 590, 1770}};
  o.total = 7200;
  o.currency = "EUR";
  o.shipping_address = {"Zoë Martin", "Kastanienallee 12", "3. OG links", "Berlin", "10435", "DE"};
  o.created_millis = 1'764'099'720'123;
  o.updated_millis = o.created_millis;
  o.history = {{orders::OrderStatus::kPlaced, o.created_millis, ""}};
  return orders::PlacedEvent(std::move(o));
}

const Event& Workload() {
  static const Event event = TypicalPlacedEvent();
  return event;
}
const std::string& EncodedWorkload() {
  static const std::string data = orders::EncodeEvent(Workload());
  return data;
}

template <typename Decode>
void Decoding(benchmark::State& state, Decode decode) {
  const std::string& data = EncodedWorkload();
  for (auto _ : state) {
    auto event = decode(data);
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}

template <typename Encode>
void Encoding(benchmark::State& state, Encode encode) {
  for (auto _ : state) {
    std::string data = encode(Workload());
    benchmark::DoNotOptimize(data);
  }
}

// The two codecs must agree on the workload, or the comparison means nothing.
void CheckAgreement() {
  const std::string& ours = EncodedWorkload();
  bool same = ours == baseline::EncodeEvent(Workload()) &&
              orders::ToJson(*Workload().order) == baseline::ToJson(*Workload().order);
  auto a = orders::DecodeEvent(ours);
  auto b = baseline::DecodeEvent(ours);
  same = same && a.ok() && b.ok() && orders::EncodeEvent(*a) == orders::EncodeEvent(*b);
  if (!same) {
    std::fprintf(stderr, "codec_bench: the two codecs disagree on the workload\n");
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CheckAgreement();
  bench::Register("decode/ours", [](benchmark::State& s) { Decoding(s, orders::DecodeEvent); });
  bench::Register("decode/nlohmann", [](benchmark::State& s) { Decoding(s, baseline::DecodeEvent); });
  bench::Register("encode/ours", [](benchmark::State& s) { Encoding(s, orders::EncodeEvent); });
  bench::Register("encode/nlohmann", [](benchmark::State& s) { Encoding(s, baseline::EncodeEvent); });
  bench::Register("api/ours", [](benchmark::State& s) {
    Encoding(s, [](const Event& e) { return orders::ToJson(*e.order); });
  });
  bench::Register("api/nlohmann", [](benchmark::State& s) {
    Encoding(s, [](const Event& e) { return baseline::ToJson(*e.order); });
  });
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::SideBySideReporter reporter({"decode", "encode", "api"}, {"ours", "ours (simdjson / writer)"},
                                     {"nlohmann", "baseline (nlohmann)"});
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  std::printf("(CPU ns per call, median and p99 over repetitions; event of %zu bytes)\n", EncodedWorkload().size());
  benchmark::Shutdown();
  return 0;
}
