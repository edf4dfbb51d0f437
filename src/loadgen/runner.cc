// The load generator's I/O: a pool of keep-alive HTTP/1.1 connections and
// one WebSocket, all on one Asio thread (Boost.Beast). One thread keeps every
// piece of state lock-free and is far cheaper than the server path it drives
// (the report prints the generator's own CPU time beside the run time).
//
// Scheduling: sessions' steps wait in a heap by due time; a timer wakes at
// the next due step (or arrival, or progress tick) and hands due steps to
// idle connections; when none is idle they queue, and the queueing counts in
// their latency because it is measured from the due time.
#include "loadgen/loadgen.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "loadgen/stats.h"

namespace loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;  // 0: transport error (connect, reset, timeout)
  std::string body;
  std::string session_token;  // from Set-Cookie, when the server set one
};

struct Job {
  Step step;
  std::string token;  // bearer token, empty for anonymous requests
  std::function<void(Reply&)> done;
};

std::string TokenFromCookie(std::string_view set_cookie) {
  constexpr std::string_view kName = "rivulet_session=";
  size_t at = set_cookie.find(kName);
  if (at == std::string_view::npos) return "";
  set_cookie.remove_prefix(at + kName.size());
  return std::string(set_cookie.substr(0, set_cookie.find(';')));
}

std::string JsonString(std::string_view body, std::string_view field) {
  std::string key = "\"" + std::string(field) + "\":\"";
  size_t at = body.find(key);
  if (at == std::string_view::npos) return "";
  size_t start = at + key.size(), end = body.find('"', start);
  return end == std::string_view::npos ? "" : std::string(body.substr(start, end - start));
}

class Runner;

// One keep-alive HTTP connection running one request at a time.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Runner* runner, asio::io_context& ioc, const tcp::resolver::results_type& endpoints,
             std::string host)
      : runner_(runner), stream_(ioc), endpoints_(endpoints), host_(std::move(host)) {}

  void Start(Job job);
  bool busy() const { return busy_; }

 private:
  void Write();
  void Finish(Reply reply);
  void Fail() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    connected_ = false;
    Finish(Reply{});
  }

  Runner* runner_;
  beast::tcp_stream stream_;
  const tcp::resolver::results_type& endpoints_;
  std::string host_;
  bool connected_ = false;
  bool busy_ = false;
  Job job_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

struct KindStats {
  int64_t sent = 0, ok = 0, errors = 0;
  LatencySamples latency, interval;
};

class Runner {
 public:
  explicit Runner(const Options& options) : options_(options), timer_(ioc_), ws_retry_(ioc_), signals_(ioc_) {}
  int Main();
  void Done(Connection* connection);  // a connection became idle

 private:
  // setup
  bool Setup();
  bool RunSetupJobs(std::vector<Job> jobs, const char* what);
  bool ConnectWebSocket();
  void NewWebSocket();
  void ReconnectWebSocket();
  void RetryWebSocket();
  void ReadWebSocket();
  void LookUpPending();
  void LookUpNext();
  void OnUpdate(std::string_view text);
  // run
  void Submit(Job job);
  void Tick();
  void ScheduleSession(int64_t start);
  Job RunJob(Step step);
  void OnReply(const Step& step, Reply& reply);
  void OnOrderReply(const Step& step, Reply& reply);
  void OnDecided(const std::string& order_id, bool confirmed, int64_t at);
  void Restock();
  void RestockFailed(const Reply& reply);
  void Progress(bool final_line);
  void Report();
  int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
  }
  // Notes are quiet under --progress quiet; problems are always printed.
  void Say(const std::string& line) {
    if (options_.progress != 2) Warn(line);
  }
  void Warn(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

  Options options_;
  Target target_;
  asio::io_context ioc_;
  tcp::resolver::results_type endpoints_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
  std::deque<Job> ready_;
  Clock::time_point start_ = Clock::now();
  asio::steady_timer timer_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;  // replaced on each reconnect
  asio::steady_timer ws_retry_;
  beast::flat_buffer ws_buffer_;
  asio::signal_set signals_;
  simdjson::ondemand::parser json_;

  std::string admin_token_;
  std::vector<std::string> products_;
  std::vector<std::string> tokens_;  // per customer
  std::unique_ptr<Scenario> scenario_;

  struct Later {
    bool operator()(const Step& a, const Step& b) const { return a.due_micros > b.due_micros; }
  };
  std::priority_queue<Step, std::vector<Step>, Later> scheduled_;
  int64_t run_start_ = 0, run_end_ = 0, next_arrival_ = 0, next_progress_ = 0, drain_end_ = 0;
  bool arrivals_over_ = false, interrupted_ = false, confirmations_ = false, ws_closing_ = false;
  int64_t feed_losses_ = 0, decided_by_lookup_ = 0;
  int64_t in_flight_ = 0;
  bool restocking_ = false, restock_asked_ = false;
  int64_t next_restock_ = 0, restocks_ = 0;

  KindStats kinds_[kStepKinds];
  std::map<std::string, int64_t> error_counts_;  // "order 503" -> count
  struct Pending {
    int64_t due;
    int customer;
    int64_t accepted;  // when its 202 came
  };
  std::unordered_map<std::string, Pending> pending_;                     // accepted, not yet decided
  std::unordered_map<std::string, std::pair<bool, int64_t>> early_;      // decided before its 202 arrived
  // After a lost feed: the orders still to look up, how many lookups are
  // out, and the orders a lookup decided (their pushes are not early ones).
  static constexpr int kMaxLookupsInFlight = 8;
  std::vector<std::string> to_look_up_;
  int lookups_in_flight_ = 0;
  std::unordered_set<std::string> looked_up_;
  int64_t accepted_ = 0, confirmed_ = 0, rejected_ = 0;
  LatencySamples decided_, decided_interval_;
  std::unique_ptr<FILE, int (*)(FILE*)> latency_log_{nullptr, &std::fclose};  // --latency-log
  int64_t last_progress_ = 0, last_accepted_ = 0, last_decided_ = 0, last_sent_ = 0;
};

void Connection::Start(Job job) {
  busy_ = true;
  job_ = std::move(job);
  request_ = {};
  request_.method(job_.step.method == "GET" ? http::verb::get : http::verb::post);
  request_.target(job_.step.target);
  request_.version(11);
  request_.set(http::field::host, host_);
  request_.set(http::field::user_agent, "rivulet-loadgen");
  if (!job_.token.empty()) request_.set(http::field::authorization, "Bearer " + job_.token);
  if (!job_.step.idempotency_key.empty()) request_.set("Idempotency-Key", job_.step.idempotency_key);
  if (job_.step.method != "GET") {
    request_.set(http::field::content_type, "application/json");
    request_.body() = job_.step.body;
    request_.prepare_payload();
  }
  if (connected_) return Write();
  stream_.expires_after(std::chrono::seconds(10));
  stream_.async_connect(endpoints_, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
    if (ec) return self->Fail();
    self->stream_.socket().set_option(tcp::no_delay(true));
    self->connected_ = true;
    self->Write();
  });
}

void Connection::Write() {
  stream_.expires_after(std::chrono::seconds(30));
  http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->Fail();
    self->parser_.emplace();
    self->parser_->body_limit(16 * 1024 * 1024);
    http::async_read(self->stream_, self->buffer_, *self->parser_, [self](beast::error_code ec, size_t) {
      if (ec) return self->Fail();
      auto& res = self->parser_->get();
      Reply reply;
      reply.status = static_cast<int>(res.result_int());
      reply.body = std::move(res.body());
      for (auto [it, end] = res.equal_range(http::field::set_cookie); it != end; ++it) {
        std::string token = TokenFromCookie(std::string_view(it->value().data(), it->value().size()));
        if (!token.empty()) reply.session_token = token;
      }
      if (!res.keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->stream_.close();
        self->connected_ = false;
      }
      self->Finish(std::move(reply));
    });
  });
}

void Connection::Finish(Reply reply) {
  busy_ = false;
  Job job = std::move(job_);
  job.done(reply);
  runner_->Done(this);
}

void Runner::Done(Connection* connection) {
  --in_flight_;
  if (connection->busy()) return;  // the callback already gave it a new job
  if (!ready_.empty()) {
    Job next = std::move(ready_.front());
    ready_.pop_front();
    ++in_flight_;
    return connection->Start(std::move(next));
  }
  idle_.push_back(connection);
}

void Runner::Submit(Job job) {
  ++in_flight_;
  if (idle_.empty()) {
    --in_flight_;  // counted when a connection takes it
    ready_.push_back(std::move(job));
    return;
  }
  Connection* c = idle_.back();
  idle_.pop_back();
  c->Start(std::move(job));
}

// Runs `jobs` (setup requests) through the pool and the event loop until all
// are answered; false when any failed (its reply was already reported).
bool Runner::RunSetupJobs(std::vector<Job> jobs, const char* what) {
  size_t total = jobs.size(), answered = 0;
  bool ok = true;
  int64_t next_note = Now() + 2'000'000;
  for (auto& job : jobs) {
    auto inner = std::move(job.done);
    job.done = [&, inner](Reply& r) {
      ++answered;
      if (r.status == 0) {
        if (ok) Warn(std::string("loadgen: cannot reach ") + options_.url + " (" + what + ")");
        ok = false;
      } else {
        inner(r);
      }
      if (total > 50 && Now() >= next_note && options_.progress != 2) {
        next_note = Now() + 2'000'000;
        std::fprintf(stderr, "  %s: %zu/%zu\n", what, answered, total);
      }
    };
    Submit(std::move(job));
  }
  while (answered < total && !interrupted_) {
    if (ioc_.run_one() == 0) break;
  }
  return ok && answered == total && !interrupted_;
}

bool Runner::Setup() {
  bool ok = true;
  if (!options_.admin_email.empty()) {
    std::string body = "{\"email\":\"" + options_.admin_email + "\",\"password\":\"" + options_.admin_password + "\"}";
    ok = RunSetupJobs({Job{Step{0, StepKind::kEvent, 0, "POST", "/api/auth/login", body, ""}, "",
                           [&](Reply& r) {
                             if (r.status != 200 || r.session_token.empty()) {
                               Warn("loadgen: admin sign-in as " + options_.admin_email + " failed (HTTP " +
                                   std::to_string(r.status) + "): " + r.body.substr(0, 200));
                               ok = false;
                             }
                             admin_token_ = r.session_token;
                           }}},
                      "admin sign-in") && ok;
    if (!ok) return false;
  }

  // The catalog, page by page.
  std::string cursor;
  do {
    std::string target = "/api/products?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor);
    std::string next;
    ok = RunSetupJobs({Job{Step{0, StepKind::kBrowse, 0, "GET", target, "", ""}, "",
                           [&](Reply& r) {
                             if (r.status != 200) {
                               Warn("loadgen: GET /api/products answered " + std::to_string(r.status) + ": " +
                                   r.body.substr(0, 200));
                               ok = false;
                               return;
                             }
                             auto parsed = nlohmann::json::parse(r.body, nullptr, false);
                             if (parsed.is_discarded()) return;
                             for (const auto& p : parsed["items"]) products_.push_back(p.value("id", ""));
                             if (parsed["nextCursor"].is_string()) next = parsed["nextCursor"];
                           }}},
                      "catalog") && ok;
    if (!ok) return false;
    cursor = next;
  } while (!cursor.empty() && products_.size() < 10'000);
  if (products_.empty()) {
    Warn("loadgen: the catalog is empty; start Rivulet with the demo catalog (orders.seed_demo)");
    return false;
  }

  // Customers: sign up, or sign in when the account exists from an earlier run.
  int n = options_.scenario.customers;
  tokens_.assign(n, "");
  Say("loadgen: signing in " + std::to_string(n) + " customers (one password hash each on the server)");
  std::vector<Job> jobs;
  int failed = 0;
  bool throttled = false;  // a 429: sign-ups from this address are throttled
  std::string last_error;
  for (int i = 0; i < n; ++i) {
    jobs.push_back(Job{Step{0, StepKind::kEvent, i, "POST", "/api/auth/signup",
                            Scenario::SignupBody(i, options_.customer_password), ""},
                       "", [&, i](Reply& r) {
                         if (r.status == 201) {
                           tokens_[i] = r.session_token;
                         } else if (r.status == 409) {
                           Submit(Job{Step{0, StepKind::kEvent, i, "POST", "/api/auth/login",
                                           Scenario::LoginBody(i, options_.customer_password), ""},
                                      "", [&, i](Reply& login) {
                                        if (login.status == 200) tokens_[i] = login.session_token;
                                        else ++failed, last_error = login.body;
                                      }});
                         } else {
                           ++failed;
                           throttled = throttled || r.status == 429;
                           last_error = std::to_string(r.status) + " " + r.body;
                         }
                       }});
  }
  ok = RunSetupJobs(std::move(jobs), "customers");
  // Logins submitted from callbacks: let them finish.
  while ((in_flight_ > 0 || !ready_.empty()) && !interrupted_) ioc_.run_one();
  if (!ok || failed > 0 || interrupted_) {
    if (failed > 0) Warn("loadgen: " + std::to_string(failed) + " customers could not sign in: " + last_error.substr(0, 200));
    if (throttled) {
      Warn("loadgen: the server throttles sign-ups from this address; run loadgen on the server's machine or add "
           "this address to the server's api.signup_exempt_addresses");
    }
    return false;
  }
  return true;
}

// Batched frames (docs/api.md): at thousands of orders a second one frame
// per update would cost this thread, and the server, a write each.
constexpr char kFeedTarget[] = "/ws?batch=1";
constexpr std::string_view kSubscribe = R"({"op":"subscribe","topic":"admin/orders"})";

// The server's answer to kSubscribe: [{"op":"subscribed",...}].
bool Subscribed(std::string_view reply) { return reply.find("\"subscribed\"") != std::string_view::npos; }

// A fresh stream whose handshake carries the admin's token.
void Runner::NewWebSocket() {
  ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(ioc_);
  ws_->set_option(websocket::stream_base::decorator([token = admin_token_](websocket::request_type& req) {
    req.set(http::field::authorization, "Bearer " + token);
  }));
}

bool Runner::ConnectWebSocket() {
  if (admin_token_.empty()) {
    Warn("loadgen: no admin credentials (--admin-email/--admin-password or RIVULET_ADMIN_EMAIL/PASSWORD): "
        "accept -> confirmed latency is not measured");
    return true;
  }
  NewWebSocket();
  beast::error_code ec;
  beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(*ws_).connect(endpoints_, ec);
  if (ec) {
    Warn("loadgen: WebSocket connect failed: " + ec.message());
    return false;
  }
  beast::get_lowest_layer(*ws_).socket().set_option(tcp::no_delay(true));
  beast::get_lowest_layer(*ws_).expires_never();
  ws_->handshake(target_.host + ":" + target_.port, kFeedTarget, ec);
  if (!ec) ws_->write(asio::buffer(kSubscribe), ec);
  beast::flat_buffer reply;
  if (!ec) ws_->read(reply, ec);
  std::string text = beast::buffers_to_string(reply.data());
  if (ec || !Subscribed(text)) {
    Warn("loadgen: cannot follow admin/orders over /ws: " + (ec ? ec.message() : text));
    return false;
  }
  confirmations_ = true;
  ReadWebSocket();
  return true;
}

void Runner::ReadWebSocket() {
  ws_->async_read(ws_buffer_, [this](beast::error_code ec, size_t) {
    if (ec) {
      ws_buffer_.clear();
      if (ws_closing_ || interrupted_) return;
      // The server drops a follower that falls too far behind (this thread,
      // starved of CPU at an overloading rate): follow again, and read what
      // was decided meanwhile with GETs, rather than count it undecided.
      if (feed_losses_++ == 0) Warn("loadgen: WebSocket closed: " + ec.message() + "; reconnecting");
      return ReconnectWebSocket();
    }
    std::string text = beast::buffers_to_string(ws_buffer_.data());
    ws_buffer_.consume(ws_buffer_.size());
    OnUpdate(text);
    ReadWebSocket();
  });
}

void Runner::ReconnectWebSocket() {
  NewWebSocket();
  beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(*ws_).async_connect(endpoints_, [this](beast::error_code ec, const tcp::endpoint&) {
    if (ec) return RetryWebSocket();
    beast::get_lowest_layer(*ws_).socket().set_option(tcp::no_delay(true), ec);
    ws_->async_handshake(target_.host + ":" + target_.port, kFeedTarget, [this](beast::error_code ec) {
      if (ec) return RetryWebSocket();
      ws_->async_write(asio::buffer(kSubscribe), [this](beast::error_code ec, size_t) {
        if (ec) return RetryWebSocket();
        ws_->async_read(ws_buffer_, [this](beast::error_code ec, size_t) {
          std::string text = beast::buffers_to_string(ws_buffer_.data());
          ws_buffer_.consume(ws_buffer_.size());
          if (ec || !Subscribed(text)) return RetryWebSocket();
          beast::get_lowest_layer(*ws_).expires_never();
          ReadWebSocket();
          LookUpPending();  // following again: what is still undecided now will be pushed
        });
      });
    });
  });
}

void Runner::RetryWebSocket() {
  if (ws_closing_ || interrupted_) return;
  ws_retry_.expires_after(std::chrono::milliseconds(200));
  ws_retry_.async_wait([this](beast::error_code ec) {
    if (!ec && !ws_closing_ && !interrupted_) ReconnectWebSocket();
  });
}

// Orders accepted before the feed came back may have been decided while it
// was gone: ask for each one's status as its customer would, a few at a
// time, so that thousands of them do not queue ahead of the load's own
// requests (whose latencies would then measure the generator).
void Runner::LookUpPending() {
  to_look_up_.clear();
  for (const auto& [order_id, p] : pending_) to_look_up_.push_back(order_id);
  for (int i = lookups_in_flight_; i < kMaxLookupsInFlight && !to_look_up_.empty(); ++i) LookUpNext();
}

// Submits the lookup of the next order still pending, if any.
void Runner::LookUpNext() {
  while (!to_look_up_.empty()) {
    std::string id = std::move(to_look_up_.back());
    to_look_up_.pop_back();
    auto p = pending_.find(id);
    if (p == pending_.end()) continue;  // pushed meanwhile
    ++lookups_in_flight_;
    Submit(Job{Step{0, StepKind::kBrowse, p->second.customer, "GET", "/api/orders/" + id, "", ""},
               tokens_[p->second.customer], [this, id](Reply& r) {
                 --lookups_in_flight_;
                 auto order = nlohmann::json::parse(r.body, nullptr, false);
                 std::string status = r.status == 200 && order.is_object() ? order.value("status", "") : "";
                 if ((status == "CONFIRMED" || status == "REJECTED") && pending_.erase(id) == 1) {
                   ++(status == "CONFIRMED" ? confirmed_ : rejected_);
                   ++decided_by_lookup_;
                   looked_up_.insert(id);  // its push may still come: not an early one
                 }
                 LookUpNext();
               }});
    return;
  }
}

// A frame is an array of messages, each
// {"topic":"admin/orders","data":{"orderId":"o-..","status":"CONFIRMED",...}}
void Runner::OnUpdate(std::string_view text) {
  int64_t now = Now();
  simdjson::padded_string padded(text);
  auto doc = json_.iterate(padded);
  simdjson::ondemand::array messages;
  if (doc.get_array().get(messages) != simdjson::SUCCESS) return;
  for (auto message : messages) {
    simdjson::ondemand::object data;
    if (message["data"].get_object().get(data) != simdjson::SUCCESS) continue;
    std::string_view id, status;
    if (data["orderId"].get_string().get(id) != simdjson::SUCCESS) continue;
    std::string order_id(id);
    if (data["status"].get_string().get(status) != simdjson::SUCCESS) continue;
    if (status != "CONFIRMED" && status != "REJECTED") continue;
    OnDecided(order_id, status == "CONFIRMED", now);
  }
}

void Runner::OnDecided(const std::string& order_id, bool confirmed, int64_t at) {
  auto it = pending_.find(order_id);
  if (it == pending_.end()) {
    if (looked_up_.erase(order_id) == 1) return;  // decided by its lookup already
    // The push can beat the 202 (the processor is that fast); matched there.
    early_[order_id] = {confirmed, at};
    return;
  }
  Pending p = it->second;
  pending_.erase(it);
  decided_.Add(at - p.due);
  decided_interval_.Add(at - p.due);
  if (latency_log_) {
    std::fprintf(latency_log_.get(), "%.3f,%.3f,%.3f,%s\n", (p.due - run_start_) / 1e3, (p.accepted - run_start_) / 1e3,
                 (at - run_start_) / 1e3, confirmed ? "CONFIRMED" : "REJECTED");
  }
  if (confirmed) ++confirmed_;
  else ++rejected_;
  if (confirmed && !arrivals_over_ && scenario_->WantsCancel()) {
    Step cancel = scenario_->Cancel(p.customer, order_id, at + options_.scenario.think_micros);
    scheduled_.push(std::move(cancel));
  }
}

Job Runner::RunJob(Step step) {
  std::string token = tokens_[step.customer];
  Step meta{step.due_micros, step.kind, step.customer, "", "", "", ""};
  return Job{std::move(step), std::move(token), [this, meta](Reply& r) { OnReply(meta, r); }};
}

void Runner::OnReply(const Step& step, Reply& reply) {
  int64_t latency = Now() - step.due_micros;
  KindStats& k = kinds_[static_cast<int>(step.kind)];
  // A cancel that comes too late (already shipped) is a valid answer, not an error.
  bool ok = (reply.status >= 200 && reply.status < 300) || (step.kind == StepKind::kCancel && reply.status == 409);
  if (ok) {
    ++k.ok;
    k.latency.Add(latency);
    k.interval.Add(latency);
  } else {
    ++k.errors;
    ++error_counts_[std::string(StepName(step.kind)) + " " +
                    (reply.status == 0 ? std::string("connection error") : std::to_string(reply.status))];
  }
  if (step.kind == StepKind::kOrder) OnOrderReply(step, reply);
}

void Runner::OnOrderReply(const Step& step, Reply& reply) {
  if (reply.status != 202) return;
  std::string id = JsonString(reply.body, "id");
  if (id.empty()) return;
  ++accepted_;
  if (!confirmations_) {
    if (!arrivals_over_ && scenario_->WantsCancel()) {
      scheduled_.push(scenario_->Cancel(step.customer, id, Now() + options_.scenario.think_micros));
    }
    return;
  }
  pending_[id] = Pending{step.due_micros, step.customer, Now()};
  if (auto early = early_.find(id); early != early_.end()) {
    auto [confirmed, at] = early->second;
    early_.erase(early);
    OnDecided(id, confirmed, at);
  }
}

// The supplier: one low-stock query at a time, then a restock per product
// it lists, as the admin would do from the product page.
void Runner::Restock() {
  if (restock_asked_) return;
  restock_asked_ = true;
  std::string target = "/api/admin/products/low-stock?limit=100&threshold=" + std::to_string(options_.restock_below);
  Submit(Job{Step{0, StepKind::kBrowse, 0, "GET", target, "", ""}, admin_token_, [this](Reply& r) {
    restock_asked_ = false;
    if (r.status != 200) return RestockFailed(r);
    auto listed = nlohmann::json::parse(r.body, nullptr, false);
    if (listed.is_discarded() || !listed["items"].is_array()) return RestockFailed(r);
    std::string body = "{\"quantity\":" + std::to_string(options_.restock_quantity) + "}";
    for (const auto& product : listed["items"]) {
      std::string target = "/api/admin/products/" + product.value("id", "") + "/restock";
      Submit(Job{Step{0, StepKind::kBrowse, 0, "POST", target, body, ""}, admin_token_, [this](Reply& done) {
        if (done.status == 200) ++restocks_;
        else RestockFailed(done);
      }});
    }
  }});
}

void Runner::RestockFailed(const Reply& reply) {
  std::string what = "restock " + (reply.status == 0 ? std::string("connection error") : std::to_string(reply.status));
  if (error_counts_[what]++ == 0) Warn("loadgen: " + what + ": " + reply.body.substr(0, 200));
}

void Runner::ScheduleSession(int64_t start) {
  for (auto& step : scenario_->Session(start)) scheduled_.push(std::move(step));
}

void Runner::Tick() {
  int64_t now = Now();
  if (!arrivals_over_) {
    while (next_arrival_ <= now && (run_end_ == 0 || next_arrival_ < run_end_)) {
      ScheduleSession(next_arrival_);
      next_arrival_ += scenario_->NextArrivalGapMicros();
    }
    if ((run_end_ != 0 && now >= run_end_) || interrupted_) {
      arrivals_over_ = true;
      drain_end_ = now + static_cast<int64_t>(options_.drain_seconds * 1e6);
    }
  }
  while (!scheduled_.empty() && scheduled_.top().due_micros <= now) {
    Step step = scheduled_.top();
    scheduled_.pop();
    if (interrupted_) continue;  // a second Ctrl-C-free way out: drop what was not sent
    ++kinds_[static_cast<int>(step.kind)].sent;
    Submit(RunJob(std::move(step)));
  }
  if (restocking_ && !arrivals_over_ && now >= next_restock_) {
    Restock();
    next_restock_ = now + 5'000'000;
  }
  if (now >= next_progress_) {
    Progress(false);
    next_progress_ += 1'000'000;
  }
  bool drained = arrivals_over_ && scheduled_.empty() && in_flight_ == 0 && ready_.empty() &&
                 (pending_.empty() || now >= drain_end_);
  if (drained || (arrivals_over_ && now >= drain_end_ + 5'000'000)) {
    ws_closing_ = true;
    ws_retry_.cancel();
    if (confirmations_) beast::get_lowest_layer(*ws_).close();
    ioc_.stop();
    return;
  }
  int64_t wake = next_progress_;
  if (!arrivals_over_) wake = std::min(wake, std::min(next_arrival_, run_end_ == 0 ? wake : run_end_));
  if (restocking_ && !arrivals_over_) wake = std::min(wake, next_restock_);
  if (!scheduled_.empty()) wake = std::min(wake, scheduled_.top().due_micros);
  if (arrivals_over_) wake = std::min(wake, now + 10'000);
  timer_.expires_at(start_ + std::chrono::microseconds(std::max(wake, now)));
  timer_.async_wait([this](beast::error_code ec) {
    if (!ec) Tick();
  });
}

void Runner::Progress(bool final_line) {
  if (options_.progress == 2) return;
  int64_t now = Now();
  double span = std::max<int64_t>(now - last_progress_, 1) / 1e6;
  int64_t sent = 0, errors = 0;
  for (auto& k : kinds_) sent += k.sent, errors += k.errors;
  int64_t decided = confirmed_ + rejected_;
  LatencySamples& lat = confirmations_ ? decided_interval_ : kinds_[static_cast<int>(StepKind::kOrder)].interval;
  // Without the admin's /ws feed nothing is decided that this run can see:
  // leave the column out rather than print a rate of 0.
  char decided_rate[32] = "";
  if (confirmations_) std::snprintf(decided_rate, sizeof decided_rate, "  decided %6.0f/s", (decided - last_decided_) / span);
  char line[320];
  std::snprintf(line, sizeof line,
                "%5.0fs  orders %6.0f/s%s  requests %6.0f/s  %s p50 %s ms p99 %s ms  "
                "errors %lld  in flight %lld",
                (now - run_start_) / 1e6, (accepted_ - last_accepted_) / span, decided_rate,
                (sent - last_sent_) / span, confirmations_ ? "accept->decided" : "POST /api/orders",
                FormatMs(lat.QuantileMs(0.5)).c_str(), FormatMs(lat.QuantileMs(0.99)).c_str(),
                static_cast<long long>(errors), static_cast<long long>(in_flight_ + ready_.size()));
  for (auto& k : kinds_) k.interval.Clear();
  decided_interval_.Clear();
  last_progress_ = now, last_accepted_ = accepted_, last_decided_ = decided, last_sent_ = sent;
  if (options_.progress == 1) {
    std::fprintf(stderr, "\r\033[K%s%s", line, final_line ? "\n" : "");
  } else if (!final_line) {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
}

void Runner::Report() {
  double seconds = std::max<int64_t>((run_end_ != 0 ? std::min(run_end_, Now()) : Now()) - run_start_, 1) / 1e6;
  if (arrivals_over_ && drain_end_ != 0) {
    seconds = std::max(seconds, 0.001);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double cpu = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  auto percentiles = [](LatencySamples& s) {
    return nlohmann::json{{"count", s.count()},      {"p50", s.QuantileMs(0.5)},   {"p90", s.QuantileMs(0.9)},
                          {"p99", s.QuantileMs(0.99)}, {"p999", s.QuantileMs(0.999)}, {"max", s.MaxMs()}};
  };
  nlohmann::json report = {{"url", options_.url},
                           {"seconds", seconds},
                           {"offeredRate", options_.scenario.rate},
                           {"customers", options_.scenario.customers},
                           {"connections", options_.connections},
                           {"loadgenCpuSeconds", cpu}};
  for (int i = 0; i < kStepKinds; ++i) {
    KindStats& k = kinds_[i];
    report["requests"][StepName(static_cast<StepKind>(i))] = {
        {"sent", k.sent}, {"ok", k.ok}, {"errors", k.errors}, {"latencyMs", percentiles(k.latency)}};
  }
  int64_t undecided = static_cast<int64_t>(pending_.size());
  report["orders"] = {{"accepted", accepted_},
                      {"acceptedPerSecond", accepted_ / seconds},
                      {"confirmationsMeasured", confirmations_},
                      {"confirmed", confirmed_},
                      {"rejected", rejected_},
                      {"undecided", confirmations_ ? undecided : 0}};
  if (feed_losses_ > 0) {
    report["orders"]["feedLosses"] = feed_losses_;
    report["orders"]["decidedByLookup"] = decided_by_lookup_;
  }
  if (confirmations_) report["acceptToDecidedMs"] = percentiles(decided_);
  if (restocking_) report["restocks"] = restocks_;
  // Requests still unanswered when the run was cut off count as failed.
  int64_t unanswered = 0;
  for (auto& k : kinds_) unanswered += k.sent - k.ok - k.errors;
  if (unanswered > 0) error_counts_["unanswered at the end"] = unanswered;
  report["errors"] = error_counts_;
  if (options_.json) {
    std::printf("%s\n", report.dump().c_str());
    return;
  }
  std::printf("rivulet loadgen: %.1f s at %.0f orders/s offered against %s (%d customers, %d connections)\n",
              seconds, options_.scenario.rate, options_.url.c_str(), options_.scenario.customers,
              options_.connections);
  std::printf("  %-8s %9s %9s %7s %9s %9s %9s %9s %9s   (ms from the intended send time)\n", "request", "sent",
              "ok", "failed", "p50", "p90", "p99", "p99.9", "max");
  auto row = [](const char* name, int64_t sent, int64_t ok, int64_t errors, LatencySamples& s) {
    std::printf("  %-8s %9lld %9lld %7lld %9s %9s %9s %9s %9s\n", name, static_cast<long long>(sent),
                static_cast<long long>(ok), static_cast<long long>(errors), FormatMs(s.QuantileMs(0.5)).c_str(),
                FormatMs(s.QuantileMs(0.9)).c_str(), FormatMs(s.QuantileMs(0.99)).c_str(),
                FormatMs(s.QuantileMs(0.999)).c_str(), FormatMs(s.MaxMs()).c_str());
  };
  for (int i = 0; i < kStepKinds; ++i) {
    KindStats& k = kinds_[i];
    if (k.sent > 0) row(StepName(static_cast<StepKind>(i)), k.sent, k.ok, k.sent - k.ok, k.latency);
  }
  if (confirmations_) {
    row("decided", accepted_, confirmed_ + rejected_, undecided, decided_);
    std::printf("  (decided: from the order's intended send to its CONFIRMED/REJECTED push on /ws)\n");
  }
  std::printf("orders: %lld accepted (%.1f/s)", static_cast<long long>(accepted_), accepted_ / seconds);
  if (confirmations_) {
    std::printf(", %lld confirmed, %lld rejected, %lld undecided after the drain", static_cast<long long>(confirmed_),
                static_cast<long long>(rejected_), static_cast<long long>(undecided));
  }
  std::printf("\n");
  if (feed_losses_ > 0) {
    std::printf("the /ws feed was lost %lld times; %lld decisions were read with GET /api/orders/{id} after it came "
                "back (not in the latency figures)\n",
                static_cast<long long>(feed_losses_), static_cast<long long>(decided_by_lookup_));
  }
  if (restocking_) {
    std::printf("restocked: %lld times, %d units each (products with at most %d left)\n",
                static_cast<long long>(restocks_), options_.restock_quantity, options_.restock_below);
  }
  if (!error_counts_.empty()) {
    std::printf("errors:");
    for (const auto& [what, n] : error_counts_) std::printf(" %s x%lld;", what.c_str(), static_cast<long long>(n));
    std::printf("\n");
  }
  std::printf("loadgen CPU: %.1f s over the whole run (one thread)\n", cpu);
}

int Runner::Main() {
  auto target = ParseUrl(options_.url);
  if (!target.ok()) {
    std::fprintf(stderr, "loadgen: %s\n", target.status().message().c_str());
    return 2;
  }
  target_ = *target;
  if (options_.progress == -1) options_.progress = ::isatty(STDERR_FILENO) ? 1 : 0;
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  endpoints_ = resolver.resolve(target_.host, target_.port, ec);
  if (ec) {
    std::fprintf(stderr, "loadgen: cannot resolve %s: %s\n", target_.host.c_str(), ec.message().c_str());
    return 1;
  }
  for (int i = 0; i < options_.connections; ++i) {
    connections_.push_back(std::make_shared<Connection>(this, ioc_, endpoints_, target_.host + ":" + target_.port));
    idle_.push_back(connections_.back().get());
  }
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code e, int) {
    if (e) return;
    if (interrupted_) ioc_.stop();  // the second signal: stop at once
    interrupted_ = true;
    signals_.async_wait(on_signal);
  };
  signals_.async_wait(on_signal);

  if (!options_.latency_log.empty()) {
    latency_log_.reset(std::fopen(options_.latency_log.c_str(), "w"));
    if (!latency_log_) {
      Warn("loadgen: cannot write " + options_.latency_log + ": " + std::strerror(errno));
      return 2;
    }
    std::fputs("due_ms,accepted_ms,decided_ms,status\n", latency_log_.get());
  }
  if (!Setup() || !ConnectWebSocket()) return 1;
  restocking_ = options_.restock_below > 0 && !admin_token_.empty();
  if (options_.restock_below > 0 && !restocking_) Warn("loadgen: --restock-below needs the admin's credentials: not restocking");
  scenario_ = std::make_unique<Scenario>(options_.scenario, products_, options_.seed);
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", options_.scenario.rate);
  Say(std::string("loadgen: running at ") + rate + " orders/s" +
      (options_.duration_seconds > 0 ? " for " + FormatMs(options_.duration_seconds) + " s" : " until Ctrl-C"));
  run_start_ = Now();
  run_end_ = options_.duration_seconds > 0 ? run_start_ + static_cast<int64_t>(options_.duration_seconds * 1e6) : 0;
  next_arrival_ = run_start_;
  next_progress_ = run_start_ + 1'000'000;
  next_restock_ = run_start_;
  last_progress_ = run_start_;
  Tick();
  ioc_.run();
  signals_.cancel();
  Progress(true);
  Report();
  std::fflush(stdout);
  return 0;
}

}  // namespace

int Run(const Options& options) {
  Runner runner(options);
  return runner.Main();
}

}  // namespace loadgen
