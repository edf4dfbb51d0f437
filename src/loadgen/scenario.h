// What the simulated customers do: the requests of one shopping session,
// with the time each is due. Pure logic (no I/O), so it is unit tested.
//
// A session arrives (Poisson arrivals at the order rate), may browse the
// catalog, posts activity events in funnel order (page_view, product_view,
// add_to_cart, checkout_started), then places an order of 1..3 lines; some
// customers cancel after the confirmation. With `visitors` > 1 each such
// session comes with visitors - 1 others on average (Poisson) who post the
// same funnel's events but leave on the way, as most visitors of a shop do.
// Steps are `think` apart and each is due at its own time whatever happened
// to the earlier ones (open loop: a slow server cannot slow the offered load
// down).
// Thread safety: none (one per load generator thread).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace loadgen {

struct ScenarioOptions {
  double rate = 100;       // sessions (= orders) per second
  int customers = 100;
  double browse = 0.3;     // probability of a GET /api/products page first
  int events = 4;          // activity events per session, 0..4 (the whole funnel)
  double visitors = 1;     // visitors per order, >= 1: the others only look around
  double cancel = 0.02;    // probability of cancelling after the confirmation
  int64_t think_micros = 20'000;
  bool idempotency_keys = true;
};

enum class StepKind { kBrowse, kEvent, kOrder, kCancel };
inline constexpr int kStepKinds = 4;
const char* StepName(StepKind kind);

struct Step {
  int64_t due_micros = 0;  // intended send time on the run's clock
  StepKind kind = StepKind::kOrder;
  int customer = 0;
  std::string method;      // GET or POST
  std::string target;      // path and query
  std::string body;        // JSON, empty for GET
  std::string idempotency_key;
};

class Scenario {
 public:
  Scenario(ScenarioOptions options, std::vector<std::string> product_ids, uint64_t seed);

  // The gap before the next session arrives (exponential, mean 1/rate).
  int64_t NextArrivalGapMicros();
  // The steps of one session arriving at `start_micros`, in due order.
  std::vector<Step> Session(int64_t start_micros);
  // Whether the customer of a confirmed order cancels it.
  bool WantsCancel();
  Step Cancel(int customer, const std::string& order_id, int64_t due_micros) const;

  // Accounts of the simulated customers: customer i is
  // loadgen-<i>@loadgen.example (stable across runs) named from lists.
  static std::string Email(int customer);
  static std::string SignupBody(int customer, const std::string& password);
  static std::string LoginBody(int customer, const std::string& password);

 private:
  std::string OrderBody(int customer);
  // The events of a visitor who leaves without ordering, from `start`.
  void AddWindowShopper(int64_t start_micros, std::vector<Step>* steps);

  ScenarioOptions options_;
  std::vector<std::string> products_;
  std::mt19937_64 rng_;
  std::string key_prefix_;  // random per run
  uint64_t sessions_ = 0;
};

}  // namespace loadgen
