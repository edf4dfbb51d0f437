// outbox_bench: the notifier's per-order outbox work on one core (Google
// Benchmark), with the bodies compressed against the templates' dictionary
// (ours) beside compressed alone (the baseline: the outbox before the
// dictionary), in one run:
//   enqueue  Enqueue of a rendered order confirmation (built-in templates,
//            3 lines): the entry built, its bodies packed, the item written;
//   read     Get of that entry: the item read, its bodies unpacked (what the
//            dispatcher does before sending).
// and, for the table work of sending 100 such emails (a notifier batch),
// Dispatcher::Deliver's (ours: each entry written once, SENT, without its
// bodies; Outbox::Prepare + Record) beside the queue's that it replaced for
// new emails (the baseline: entries written claimed with their bodies, then
// marked SENT one by one; EnqueueMany + MarkSent), both without the SMTP sends.
// The table engine runs in a temporary folder without fsync, so the figures
// are CPU. Each benchmark is repeated; the summary prints the median and p99
// of the repetitions' CPU ns/op, the ratio baseline/ours and the stored
// bodies' size.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "side_by_side.h"
#include "notify/outbox.h"
#include "notify/template.h"
#include "table/table_engine.h"

namespace {

using notify::Email;
using notify::Outbox;

Email Confirmation() {
  auto store = notify::TemplateStore::Open({});
  nlohmann::json items = nlohmann::json::array();
  for (const char* name : {"Trail running shoes", "Merino wool socks", "Insulated water bottle"}) {
    items.push_back({{"name", name}, {"quantity", 2}, {"unitPrice", "€34.90"}, {"lineTotal", "€69.80"}});
  }
  nlohmann::json data = {
      {"shopName", "Rivulet Shop"},      {"shopUrl", "http://127.0.0.1:8080"},
      {"customerName", "Ada Lovelace"},  {"orderId", "o-7f3a9c2e41b8d605e917"},
      {"orderNumber", "05E917"},         {"orderUrl", "http://127.0.0.1:8080/orders/o-7f3a9c2e41b8d605e917"},
      {"placedAt", "26 Nov 2026, 17:19 UTC"}, {"items", items},
      {"total", "€209.40"},
      {"shippingAddress", {{"name", "Ada Lovelace"}, {"line1", "12 St James's Square"}, {"line2", ""},
                           {"city", "London"}, {"postalCode", "SW1Y 4JH"}, {"country", "GB"}}}};
  auto rendered = (*store)->Render("order_confirmed", data);
  Email email;
  email.from = {"Rivulet Shop", "shop@rivulet.local"};
  email.to = {"Ada Lovelace", "ada@example.com"};
  email.subject = rendered->subject;
  email.text_body = rendered->text;
  email.html_body = rendered->html;
  return email;
}

// One table engine and one outbox per variant, kept for the whole run.
struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<table::TableEngine> tables;
  std::unique_ptr<Outbox> outbox;
  size_t bodies_bytes = 0;
  uint64_t next = 0;

  // `name`: the folder's, unique per fixture.
  Fixture(bool dictionary, const std::string& name) {
    dir = std::filesystem::temp_directory_path() / ("outbox_bench." + std::to_string(::getpid()) + "." + name);
    std::filesystem::remove_all(dir);
    table::TableEngineOptions options;
    options.sync_writes = false;
    options.ttl_interval_millis = 0;
    tables = std::move(table::TableEngine::Open(dir.string(), options)).value();
    notify::OutboxOptions outbox_options;
    if (dictionary) outbox_options.dictionary_sample = (*notify::TemplateStore::Open({}))->Sample();
    outbox = std::move(Outbox::Open(tables.get(), outbox_options)).value();
    // The stored size of one entry's bodies.
    std::string id = Enqueue();
    table::GetItemRequest get;
    get.table_name = outbox->table_name();
    get.key = {{"id", table::AttributeValue::S(id)}};
    bodies_bytes = (*tables->GetItem(get))->at("bodies_zstd").scalar().size();
  }
  ~Fixture() {
    outbox.reset();
    tables.reset();
    std::filesystem::remove_all(dir);
  }
  std::string Enqueue() {
    static const Email email = Confirmation();
    std::string id = "o-" + std::to_string(next++) + "/CONFIRMED";
    if (!outbox->Enqueue(id, email).ok()) std::abort();
    return id;
  }
};

// 100 new emails with fresh ids, as a notifier batch hands them over.
std::vector<std::pair<std::string, Email>> NewBatch(Fixture& f) {
  static const Email email = Confirmation();
  std::vector<std::pair<std::string, Email>> batch;
  for (int i = 0; i < 100; ++i) batch.emplace_back("o-" + std::to_string(f.next++) + "/CONFIRMED", email);
  return batch;
}

void RecordingSent(benchmark::State& state) {
  static Fixture f(true, "deliver");
  for (auto _ : state) {
    std::vector<Outbox::Outcome> outcomes;
    for (auto& [id, email] : NewBatch(f)) {
      if (!f.outbox->Prepare(id, &email).ok()) std::abort();
      Outbox::Outcome sent;  // SENT, one attempt
      sent.id = id;
      sent.email = std::move(email);
      outcomes.push_back(std::move(sent));
    }
    auto recorded = f.outbox->Record(outcomes);
    if (!recorded.ok() || *recorded != 100) std::abort();
  }
}

void EnqueueingThenMarkingSent(benchmark::State& state) {
  static Fixture f(true, "queue");
  // As with a dispatcher in the process: entries are written claimed and
  // handed over whole.
  static std::vector<notify::OutboxEntry> handed;
  f.outbox->SetWakeHook([](const std::vector<notify::OutboxEntry>& entries) { handed = entries; });
  f.outbox->SetClaimLease(120'000);
  for (auto _ : state) {
    auto enqueued = f.outbox->EnqueueMany(NewBatch(f));
    if (!enqueued.ok() || *enqueued != 100) std::abort();
    for (const auto& entry : handed) {
      if (!f.outbox->MarkSent(entry, /*sync=*/false).ok()) std::abort();
    }
  }
  f.outbox->SetWakeHook(nullptr);
}

Fixture& For(bool dictionary) {
  static Fixture with(true, "dict"), alone(false, "alone");
  return dictionary ? with : alone;
}

void Enqueueing(benchmark::State& state, bool dictionary) {
  Fixture& f = For(dictionary);
  for (auto _ : state) benchmark::DoNotOptimize(f.Enqueue());
}

void Reading(benchmark::State& state, bool dictionary) {
  Fixture& f = For(dictionary);
  std::string id = f.Enqueue();
  for (auto _ : state) {
    auto entry = f.outbox->Get(id);
    if (!entry.ok() || !entry->has_value()) std::abort();
    benchmark::DoNotOptimize(entry);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::Register("enqueue/dictionary", [](benchmark::State& s) { Enqueueing(s, true); });
  bench::Register("enqueue/alone", [](benchmark::State& s) { Enqueueing(s, false); });
  bench::Register("read/dictionary", [](benchmark::State& s) { Reading(s, true); });
  bench::Register("read/alone", [](benchmark::State& s) { Reading(s, false); });
  bench::Register("send100/deliver", RecordingSent);
  bench::Register("send100/enqueue+mark", EnqueueingThenMarkingSent);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::SideBySideReporter reporter({"enqueue", "read"}, {"dictionary", "ours (dictionary)"},
                                     {"alone", "baseline (alone)"});
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  reporter.PrintPair("send100", {"deliver", "ours (Deliver)"}, {"enqueue+mark", "baseline (queue)"});
  std::printf("(CPU ns per call, median and p99 over repetitions; stored bodies: %zu bytes with the dictionary, "
              "%zu alone; the email: %zu bytes of text and HTML)\n",
              For(true).bodies_bytes, For(false).bodies_bytes,
              Confirmation().text_body.size() + Confirmation().html_body.size());
  benchmark::Shutdown();
  return 0;
}
