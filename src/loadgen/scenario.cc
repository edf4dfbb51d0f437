#include "loadgen/scenario.h"

#include <algorithm>
#include <cmath>

namespace loadgen {
namespace {

constexpr const char* kFirstNames[] = {"Ada",   "Grace", "Alan",  "Edsger", "Barbara", "Donald", "Frances",
                                       "Ken",   "Radia", "Linus", "Margaret", "Niklaus", "Sophie", "Tim"};
constexpr const char* kLastNames[] = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen",
                                      "Thompson", "Perlman", "Torvalds", "Hamilton", "Wirth", "Wilson", "Berners-Lee"};
struct City {
  const char* city;
  const char* postal;
  const char* country;
};
constexpr City kCities[] = {{"Berlin", "10115", "DE"},  {"London", "SW1Y 4JH", "GB"}, {"Paris", "75001", "FR"},
                            {"Madrid", "28013", "ES"},  {"Vienna", "1010", "AT"},     {"Amsterdam", "1012 JS", "NL"},
                            {"Dublin", "D02 X285", "IE"}, {"Lisbon", "1100-148", "PT"}};
constexpr const char* kEventTypes[] = {"page_view", "product_view", "add_to_cart", "checkout_started"};
// Of the visitors who leave without ordering, the share that takes each next
// funnel step (product_view, add_to_cart, checkout_started): with 5 visitors
// per order, 1 page view in 5 ends in an order, and about a third of the
// checkouts started do not.
constexpr double kGoesOn[] = {0.6, 0.4, 0.5};
constexpr const char* kSearches[] = {"", "&q=coffee", "&q=tea", "&category=Kitchen", "&q=mug", ""};

template <size_t N>
size_t Pick(std::mt19937_64& rng, const char* const (&)[N]) {
  return std::uniform_int_distribution<size_t>(0, N - 1)(rng);
}

}  // namespace

const char* StepName(StepKind kind) {
  switch (kind) {
    case StepKind::kBrowse: return "browse";
    case StepKind::kEvent: return "event";
    case StepKind::kOrder: return "order";
    case StepKind::kCancel: return "cancel";
  }
  return "?";
}

Scenario::Scenario(ScenarioOptions options, std::vector<std::string> product_ids, uint64_t seed)
    : options_(options), products_(std::move(product_ids)), rng_(seed) {
  options_.events = std::clamp(options_.events, 0, 4);
  options_.visitors = std::max(options_.visitors, 1.0);
  // Idempotency keys must differ between runs: the same seed repeats the same
  // sessions, and a key seen before would be answered with the earlier order.
  key_prefix_ = "lg-" + std::to_string(std::random_device{}()) + "-";
}

int64_t Scenario::NextArrivalGapMicros() {
  std::exponential_distribution<double> gap(options_.rate);
  return static_cast<int64_t>(std::llround(gap(rng_) * 1e6));
}

std::string Scenario::Email(int customer) { return "loadgen-" + std::to_string(customer) + "@loadgen.example"; }

std::string Scenario::SignupBody(int customer, const std::string& password) {
  std::string name = std::string(kFirstNames[customer % std::size(kFirstNames)]) + " " +
                     kLastNames[(customer / std::size(kFirstNames)) % std::size(kLastNames)];
  return "{\"email\":\"" + Email(customer) + "\",\"password\":\"" + password + "\",\"name\":\"" + name + "\"}";
}

std::string Scenario::LoginBody(int customer, const std::string& password) {
  return "{\"email\":\"" + Email(customer) + "\",\"password\":\"" + password + "\"}";
}

std::string Scenario::OrderBody(int customer) {
  int lines = std::uniform_int_distribution<int>(1, std::min<int>(3, static_cast<int>(products_.size())))(rng_);
  std::vector<std::string> chosen;
  std::string body = "{\"items\":[";
  while (static_cast<int>(chosen.size()) < lines) {
    const std::string& id = products_[std::uniform_int_distribution<size_t>(0, products_.size() - 1)(rng_)];
    if (std::find(chosen.begin(), chosen.end(), id) != chosen.end()) continue;  // one line per product
    if (!chosen.empty()) body += ",";
    chosen.push_back(id);
    body += "{\"productId\":\"" + id + "\",\"quantity\":" + std::to_string(1 + rng_() % 2) + "}";
  }
  const City& c = kCities[customer % std::size(kCities)];
  std::string name = std::string(kFirstNames[customer % std::size(kFirstNames)]) + " " +
                     kLastNames[(customer / std::size(kFirstNames)) % std::size(kLastNames)];
  body += "],\"shippingAddress\":{\"name\":\"" + name + "\",\"line1\":\"" + std::to_string(1 + customer % 200) +
          " Market Street\",\"city\":\"" + c.city + "\",\"postalCode\":\"" + c.postal + "\",\"country\":\"" +
          c.country + "\"}}";
  return body;
}

std::vector<Step> Scenario::Session(int64_t start_micros) {
  std::vector<Step> steps;
  int customer = std::uniform_int_distribution<int>(0, std::max(options_.customers, 1) - 1)(rng_);
  int64_t due = start_micros;
  auto add = [&](StepKind kind, std::string method, std::string target, std::string body) {
    steps.push_back(Step{due, kind, customer, std::move(method), std::move(target), std::move(body), ""});
    due += options_.think_micros;
  };
  if (std::uniform_real_distribution<double>(0, 1)(rng_) < options_.browse) {
    add(StepKind::kBrowse, "GET", "/api/products?limit=20" + std::string(kSearches[Pick(rng_, kSearches)]), "");
  }
  const std::string& viewed = products_[std::uniform_int_distribution<size_t>(0, products_.size() - 1)(rng_)];
  for (int i = 0; i < options_.events; ++i) {
    std::string body = std::string("{\"type\":\"") + kEventTypes[i] + "\"";
    if (i == 1 || i == 2) body += ",\"productId\":\"" + viewed + "\"";
    add(StepKind::kEvent, "POST", "/api/events", body + "}");
  }
  add(StepKind::kOrder, "POST", "/api/orders", OrderBody(customer));
  if (options_.idempotency_keys) steps.back().idempotency_key = key_prefix_ + std::to_string(rng_());
  ++sessions_;
  if (options_.events > 0 && options_.visitors > 1) {
    int others = std::poisson_distribution<int>(options_.visitors - 1)(rng_);
    for (int i = 0; i < others; ++i) AddWindowShopper(start_micros, &steps);
    std::stable_sort(steps.begin(), steps.end(),
                     [](const Step& a, const Step& b) { return a.due_micros < b.due_micros; });
  }
  return steps;
}

void Scenario::AddWindowShopper(int64_t start_micros, std::vector<Step>* steps) {
  int customer = std::uniform_int_distribution<int>(0, std::max(options_.customers, 1) - 1)(rng_);
  // Spread over the order session's first steps, not all at its start.
  int64_t due = start_micros + std::uniform_int_distribution<int64_t>(0, options_.think_micros)(rng_);
  const std::string& viewed = products_[std::uniform_int_distribution<size_t>(0, products_.size() - 1)(rng_)];
  for (int i = 0; i < options_.events; ++i) {
    if (i > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) >= kGoesOn[i - 1]) break;
    std::string body = std::string("{\"type\":\"") + kEventTypes[i] + "\"";
    if (i == 1 || i == 2) body += ",\"productId\":\"" + viewed + "\"";
    steps->push_back(Step{due, StepKind::kEvent, customer, "POST", "/api/events", body + "}", ""});
    due += options_.think_micros;
  }
}

bool Scenario::WantsCancel() { return std::uniform_real_distribution<double>(0, 1)(rng_) < options_.cancel; }

Step Scenario::Cancel(int customer, const std::string& order_id, int64_t due_micros) const {
  return Step{due_micros, StepKind::kCancel, customer, "POST", "/api/orders/" + order_id + "/cancel", "", ""};
}

}  // namespace loadgen
