// efo_latency: put-to-delivery latency of enhanced fan-out (SubscribeToShard,
// HTTP/2 event stream push) beside GetRecords polling at the KCL's default
// pace (one call per second per shard), both following the same stream in
// the same run while an open-loop producer writes --rate records/s. One
// process, one steady clock: each record's Data starts with the time (ns) it
// was due to be sent, so a producer that falls behind shows up as latency
// (no coordinated omission).
//
// Threads: --producers senders (HTTP/1.1 keep-alive; sender k sends ticks
// k, k+P, ... of --tick-ms each), one subscriber (one HTTP/2 cleartext
// connection, prior knowledge, one stream per shard, libnghttp2), one poller
// per shard (HTTP/1.1). Prints one line of JSON per reader and one for the
// producer.
//
// --presign DIR instead creates --stream with --shards and writes a signed
// PutRecords (--batch x --record-bytes) to DIR/body.json and its headers to
// DIR/headers.txt, for h2load to replay (SigV4 has no nonce; valid 15 min).
#include <nghttp2/nghttp2.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "aws/common/base64.h"
#include "eventstream/event_stream.h"
#include "kinesis_call.h"

namespace {

using bench::Die;
using Clock = std::chrono::steady_clock;

int64_t NowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

struct Options {
  int port = 0;
  std::string stream = "efo-latency";
  int shards = 1;
  int rate = 10000;
  double seconds = 10;
  int tick_ms = 5;
  int producers = 8;
  int record_bytes = 100;
  int poll_ms = 1000;  // KCL PollingConfig.idleTimeBetweenReadsInMillis
  std::string presign_dir;
  int batch = 500;
};

struct Sample {  // latencies of one reader, in ns
  std::mutex mu;
  std::vector<int64_t> ns;  // guarded by mu
  std::atomic<uint64_t> count{0};
  void Add(const std::vector<int64_t>& more) {
    std::lock_guard lock(mu);
    ns.insert(ns.end(), more.begin(), more.end());
    count += more.size();
  }
};

std::atomic<uint64_t> acked{0};
std::atomic<bool> producing_done{false};

// The send time (ns) at the start of a record's base64 Data.
int64_t SendTime(std::string_view data_b64) {
  auto data = aws::Base64Decode(data_b64.substr(0, 28));  // 21 bytes: enough for the number
  if (!data.ok()) Die("bad base64 in a record");
  return std::strtoll(data->c_str(), nullptr, 10);
}

// Parses a GetRecords reply or a SubscribeToShardEvent; appends latencies.
// Returns ContinuationSequenceNumber (events) or NextShardIterator (replies).
std::string ParseRecords(simdjson::dom::parser& parser, const std::string& json, int64_t arrival,
                         std::string_view next_field, std::vector<int64_t>* out) {
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc)) Die("bad JSON: " + json.substr(0, 200));
  for (simdjson::dom::element r : simdjson::dom::array(doc["Records"])) {
    out->push_back(arrival - SendTime(std::string_view(r["Data"])));
  }
  std::string_view next;
  if (doc[next_field].get(next)) return "";
  return std::string(next);
}

void CreateStream(const Options& o) {
  bench::Http1Connection c(o.port);
  std::string body;
  if (c.Call("CreateStream", "{\"StreamName\":\"" + o.stream + "\",\"ShardCount\":" + std::to_string(o.shards) + "}",
             &body) != 200) {
    Die("CreateStream: " + body);
  }
  for (int i = 0; i < 2000; ++i) {
    if (c.Call("DescribeStreamSummary", "{\"StreamName\":\"" + o.stream + "\"}", &body) == 200 &&
        body.find("\"ACTIVE\"") != std::string::npos) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Die("stream never became ACTIVE");
}

std::string StreamArn(const Options& o) {
  bench::Http1Connection c(o.port);
  std::string body;
  if (c.Call("DescribeStreamSummary", "{\"StreamName\":\"" + o.stream + "\"}", &body) != 200) Die(body);
  simdjson::dom::parser parser;
  return std::string(std::string_view(parser.parse(body)["StreamDescriptionSummary"]["StreamARN"]));
}

std::vector<std::string> ShardIds(const Options& o) {
  bench::Http1Connection c(o.port);
  std::string body;
  if (c.Call("ListShards", "{\"StreamName\":\"" + o.stream + "\"}", &body) != 200) Die("ListShards: " + body);
  simdjson::dom::parser parser;
  std::vector<std::string> ids;
  for (simdjson::dom::element s : simdjson::dom::array(parser.parse(body)["Shards"])) {
    ids.emplace_back(std::string_view(s["ShardId"]));
  }
  return ids;
}

std::string RegisterConsumer(const Options& o, const std::string& stream_arn) {
  bench::Http1Connection c(o.port);
  std::string body;
  if (c.Call("RegisterStreamConsumer", "{\"StreamARN\":\"" + stream_arn + "\",\"ConsumerName\":\"efo-latency\"}",
             &body) != 200) {
    Die("RegisterStreamConsumer: " + body);
  }
  simdjson::dom::parser parser;
  std::string arn{std::string_view(parser.parse(body)["Consumer"]["ConsumerARN"])};
  for (int i = 0; i < 2000; ++i) {
    if (c.Call("DescribeStreamConsumer", "{\"ConsumerARN\":\"" + arn + "\"}", &body) == 200 &&
        body.find("\"ACTIVE\"") != std::string::npos) {
      return arn;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Die("consumer never became ACTIVE");
}

// ---------------------------------------------------------------------------
// Producer: open loop. Tick i is due at t0 + i * tick; its records carry that
// due time, whether or not the sender is late.

struct ProducerStats {
  Sample ack;  // PutRecords: due time to acknowledgement (durable: fsync'd)
  std::atomic<uint64_t> failed{0}, calls{0};
  std::atomic<int64_t> max_late_ns{0};
};

void Produce(const Options& o, int64_t t0, int index, ProducerStats* stats) {
  bench::Http1Connection c(o.port);
  const int64_t tick_ns = int64_t{o.tick_ms} * 1'000'000;
  const int64_t end = t0 + static_cast<int64_t>(o.seconds * 1e9);
  const int per_tick = std::max(1, o.rate * o.tick_ms / 1000);
  std::string body, reply;
  simdjson::dom::parser parser;
  std::vector<int64_t> acks;  // due -> acknowledged, per call
  for (int64_t tick = index;; tick += o.producers) {
    int64_t due = t0 + tick * tick_ns;
    if (due >= end) break;
    int64_t now = NowNs();
    if (due > now) std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
    int64_t late = NowNs() - due;
    int64_t seen = stats->max_late_ns.load();
    while (late > seen && !stats->max_late_ns.compare_exchange_weak(seen, late)) {
    }
    std::string data = std::to_string(due) + " ";
    data.resize(static_cast<size_t>(o.record_bytes), '.');
    std::string data_b64 = aws::Base64Encode(data);
    body = "{\"StreamName\":\"" + o.stream + "\",\"Records\":[";
    for (int i = 0; i < per_tick; ++i) {
      if (i) body += ',';
      body += "{\"PartitionKey\":\"k" + std::to_string(tick * per_tick + i) + "\",\"Data\":\"" + data_b64 + "\"}";
    }
    body += "]}";
    int status = c.Call("PutRecords", body, &reply);
    acks.push_back(NowNs() - due);
    stats->calls++;
    if (status != 200) Die("PutRecords HTTP " + std::to_string(status) + ": " + reply.substr(0, 300));
    int64_t failed = 0;
    if (parser.parse(reply)["FailedRecordCount"].get(failed)) Die("PutRecords: bad reply");
    stats->failed += static_cast<uint64_t>(failed);
    acked += static_cast<uint64_t>(per_tick - failed);
  }
  stats->ack.Add(acks);
}

// ---------------------------------------------------------------------------
// Poller: GetRecords every poll_ms from a LATEST iterator taken before t0.

void Poll(const Options& o, const std::string& shard, int64_t t0, Sample* sample, const std::atomic<bool>* stop) {
  bench::Http1Connection c(o.port);
  std::string body;
  if (c.Call("GetShardIterator", "{\"StreamName\":\"" + o.stream + "\",\"ShardId\":\"" + shard +
                                     "\",\"ShardIteratorType\":\"LATEST\"}", &body) != 200) {
    Die("GetShardIterator: " + body);
  }
  simdjson::dom::parser parser;
  std::string iterator{std::string_view(parser.parse(body)["ShardIterator"])};
  std::vector<int64_t> lat;
  for (int64_t next = t0; !stop->load(); next += int64_t{o.poll_ms} * 1'000'000) {
    int64_t now = NowNs();
    if (next > now) std::this_thread::sleep_for(std::chrono::nanoseconds(next - now));
    if (c.Call("GetRecords", "{\"ShardIterator\":\"" + iterator + "\",\"Limit\":10000}", &body) != 200) {
      Die("GetRecords: " + body.substr(0, 300));
    }
    lat.clear();
    iterator = ParseRecords(parser, body, NowNs(), "NextShardIterator", &lat);
    sample->Add(lat);
    if (iterator.empty()) break;
  }
}

// ---------------------------------------------------------------------------
// Subscriber: one HTTP/2 connection, one SubscribeToShard stream per shard,
// resubscribed from ContinuationSequenceNumber when a subscription ends.

class Subscriber {
 public:
  Subscriber(const Options& o, std::string consumer_arn, std::vector<std::string> shards, Sample* sample)
      : o_(o), consumer_arn_(std::move(consumer_arn)), shards_(std::move(shards)), sample_(sample),
        authority_("127.0.0.1:" + std::to_string(o.port)), subs_(shards_.size()) {}

  ~Subscriber() {
    if (session_ != nullptr) nghttp2_session_del(session_);
    if (fd_ >= 0) ::close(fd_);
  }

  // Runs until `stop`; `ready` turns true once every shard's subscription
  // has sent its initial-response.
  void Run(const std::atomic<bool>* stop, std::atomic<bool>* ready) {
    Connect();
    for (size_t i = 0; i < shards_.size(); ++i) Subscribe(i);
    std::vector<uint8_t> buf(1 << 18);
    while (!stop->load()) {
      if (nghttp2_session_send(session_) != 0) Die("nghttp2_session_send failed");
      int initial = 0;
      for (auto& s : subs_) initial += s.initial ? 1 : 0;
      if (initial == static_cast<int>(subs_.size())) ready->store(true);
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n <= 0) Die("the HTTP/2 connection was closed by the server");
      arrival_ns_ = NowNs();
      if (nghttp2_session_mem_recv(session_, buf.data(), static_cast<size_t>(n)) < 0) Die("bad HTTP/2 from the server");
      for (size_t i = 0; i < subs_.size(); ++i) {
        if (subs_[i].stream_id == 0) Subscribe(i);  // ended: go on from where it stopped
      }
    }
  }

  uint64_t resubscribes() const { return resubscribes_; }

 private:
  struct Sub {
    int32_t stream_id = 0;  // 0: not subscribed
    bool initial = false;
    std::string continuation;
    std::string request;  // the JSON body being sent
    size_t sent = 0;
    eventstream::Decoder decoder;
  };

  void Connect() {
    fd_ = bench::ConnectLoopback(o_.port);
    nghttp2_session_callbacks* cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_send_callback(cbs, &Subscriber::OnSend);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &Subscriber::OnData);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &Subscriber::OnClose);
    nghttp2_session_callbacks_set_on_header_callback(cbs, &Subscriber::OnHeader);
    nghttp2_session_client_new(&session_, cbs, this);  // sends the client preface itself
    nghttp2_session_callbacks_del(cbs);
    // Large windows: a reader that is keeping up never waits for WINDOW_UPDATE.
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                         {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 1 << 28);
  }

  void Subscribe(size_t i) {
    Sub& s = subs_[i];
    std::string position = s.continuation.empty()
                               ? std::string("{\"Type\":\"LATEST\"}")
                               : "{\"Type\":\"AFTER_SEQUENCE_NUMBER\",\"SequenceNumber\":\"" + s.continuation + "\"}";
    s.request = "{\"ConsumerARN\":\"" + consumer_arn_ + "\",\"ShardId\":\"" + shards_[i] +
                "\",\"StartingPosition\":" + position + "}";
    s.sent = 0;
    s.decoder = eventstream::Decoder();
    auto signed_headers = bench::SignKinesisCall("SubscribeToShard", s.request, authority_);
    std::string length = std::to_string(s.request.size());
    std::vector<std::pair<std::string, std::string>> h = {
        {":method", "POST"}, {":scheme", "http"}, {":authority", authority_}, {":path", "/"},
        {"content-length", length}};
    for (auto& [name, value] : signed_headers) {
      if (name != "host") h.emplace_back(name, value);  // :authority carries it
    }
    std::vector<nghttp2_nv> nva;
    for (auto& [name, value] : h) {
      nva.push_back({reinterpret_cast<uint8_t*>(name.data()), reinterpret_cast<uint8_t*>(value.data()), name.size(),
                     value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_data_provider body{};
    body.source.ptr = &s;
    body.read_callback = &Subscriber::ReadBody;
    s.stream_id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &body, &s);
    if (s.stream_id < 0) Die("nghttp2_submit_request failed");
    if (started_) ++resubscribes_;
  }

  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void*) {
    auto* s = static_cast<Sub*>(source->ptr);
    size_t n = std::min(length, s->request.size() - s->sent);
    std::memcpy(buf, s->request.data() + s->sent, n);
    s->sent += n;
    if (s->sent == s->request.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static ssize_t OnSend(nghttp2_session*, const uint8_t* data, size_t length, int, void* user) {
    auto* self = static_cast<Subscriber*>(user);
    size_t done = 0;
    while (done < length) {
      ssize_t n = ::send(self->fd_, data + done, length - done, MSG_NOSIGNAL);
      if (n <= 0) Die("send failed");
      done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(length);
  }

  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t, void*) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    std::string_view n(reinterpret_cast<const char*>(name), namelen), v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status" && v != "200") {
      std::fprintf(stderr, "SubscribeToShard: HTTP %.*s\n", static_cast<int>(v.size()), v.data());
      auto* s = static_cast<Sub*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
      if (s != nullptr) s->initial = true;  // don't wait for it forever; the body says why
    }
    return 0;
  }

  static int OnData(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                    void* user) {
    auto* self = static_cast<Subscriber*>(user);
    auto* s = static_cast<Sub*>(nghttp2_session_get_stream_user_data(session, stream_id));
    if (s == nullptr) return 0;
    s->decoder.Feed(std::string_view(reinterpret_cast<const char*>(data), len));
    while (auto m = s->decoder.Next()) self->OnMessage(s, *m);
    if (!s->decoder.error().empty()) Die("event stream: " + s->decoder.error());
    return 0;
  }

  void OnMessage(Sub* s, const eventstream::Message& m) {
    if (m.HeaderValue(":message-type") != "event") {
      std::fprintf(stderr, "SubscribeToShard %s: %s\n", std::string(m.HeaderValue(":exception-type")).c_str(),
                   m.payload.c_str());
      return;
    }
    std::string_view type = m.HeaderValue(":event-type");
    if (type == "initial-response") {
      s->initial = true;
      started_ = true;
      return;
    }
    if (type != "SubscribeToShardEvent") return;
    lat_.clear();
    std::string cont = ParseRecords(parser_, m.payload, arrival_ns_, "ContinuationSequenceNumber", &lat_);
    if (!cont.empty()) s->continuation = cont;
    sample_->Add(lat_);
  }

  static int OnClose(nghttp2_session* session, int32_t stream_id, uint32_t, void*) {
    auto* s = static_cast<Sub*>(nghttp2_session_get_stream_user_data(session, stream_id));
    if (s != nullptr) s->stream_id = 0;
    return 0;
  }

  const Options& o_;
  const std::string consumer_arn_;
  const std::vector<std::string> shards_;
  Sample* sample_;
  const std::string authority_;
  std::vector<Sub> subs_;  // fixed size: nghttp2 holds pointers to its elements
  int fd_ = -1;
  nghttp2_session* session_ = nullptr;
  int64_t arrival_ns_ = 0;  // when the bytes being parsed were read
  bool started_ = false;
  uint64_t resubscribes_ = 0;
  simdjson::dom::parser parser_;
  std::vector<int64_t> lat_;
};

// ---------------------------------------------------------------------------

void PrintLatency(const char* reader, Sample* s) {
  std::lock_guard lock(s->mu);
  std::sort(s->ns.begin(), s->ns.end());
  auto pct = [&](double p) {
    return s->ns.empty() ? 0.0 : s->ns[std::min(s->ns.size() - 1, static_cast<size_t>(p * s->ns.size()))] / 1e6;
  };
  std::printf("{\"reader\":\"%s\",\"n\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f}\n", reader,
              s->ns.size(), pct(0.5), pct(0.99), pct(0.999), s->ns.empty() ? 0.0 : s->ns.back() / 1e6);
}

void Presign(const Options& o) {
  CreateStream(o);
  std::string data(static_cast<size_t>(o.record_bytes), 'x');
  std::string data_b64 = aws::Base64Encode(data);
  std::string body = "{\"StreamName\":\"" + o.stream + "\",\"Records\":[";
  for (int i = 0; i < o.batch; ++i) {
    if (i) body += ',';
    body += "{\"PartitionKey\":\"p" + std::to_string(i) + "\",\"Data\":\"" + data_b64 + "\"}";
  }
  body += "]}";
  std::ofstream(o.presign_dir + "/body.json") << body;
  std::ofstream headers(o.presign_dir + "/headers.txt");
  for (auto& [name, value] : bench::SignKinesisCall("PutRecords", body, "127.0.0.1:" + std::to_string(o.port))) {
    if (name != "host") headers << name << ": " << value << "\n";  // h2load sends the host itself
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--port") o.port = std::stoi(next());
    else if (a == "--stream") o.stream = next();
    else if (a == "--shards") o.shards = std::stoi(next());
    else if (a == "--rate") o.rate = std::stoi(next());
    else if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--tick-ms") o.tick_ms = std::stoi(next());
    else if (a == "--producers") o.producers = std::stoi(next());
    else if (a == "--record-bytes") o.record_bytes = std::max(32, std::stoi(next()));
    else if (a == "--poll-ms") o.poll_ms = std::stoi(next());
    else if (a == "--presign") o.presign_dir = next();
    else if (a == "--batch") o.batch = std::stoi(next());
    else Die("unknown flag " + a);
  }
  if (o.port <= 0) Die("--port is required (the endpoint is always 127.0.0.1)");
  if (!o.presign_dir.empty()) {
    Presign(o);
    return 0;
  }

  CreateStream(o);
  std::string consumer = RegisterConsumer(o, StreamArn(o));
  std::vector<std::string> shards = ShardIds(o);
  Sample efo, poll;
  std::atomic<bool> stop_sub{false}, stop_poll{false}, ready{false};
  Subscriber subscriber(o, consumer, shards, &efo);
  std::thread sub_thread([&] { subscriber.Run(&stop_sub, &ready); });
  for (int i = 0; i < 500 && !ready.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!ready.load()) Die("SubscribeToShard never sent its initial-response");

  int64_t t0 = NowNs() + 200'000'000;  // pollers take their LATEST iterators before this
  std::vector<std::thread> pollers;
  for (const auto& shard : shards) pollers.emplace_back([&, shard] { Poll(o, shard, t0, &poll, &stop_poll); });
  ProducerStats stats;
  std::vector<std::thread> producers;
  for (int k = 0; k < o.producers; ++k) producers.emplace_back([&, k] { Produce(o, t0, k, &stats); });
  for (auto& t : producers) t.join();
  double put_seconds = (NowNs() - t0) / 1e9;
  // Both readers get until every acknowledged record arrived, at most 2.5 s
  // (two and a half polling rounds).
  int64_t deadline = NowNs() + 2'500'000'000;
  while (NowNs() < deadline && (efo.count.load() < acked.load() || poll.count.load() < acked.load())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop_sub = stop_poll = true;
  sub_thread.join();
  for (auto& t : pollers) t.join();

  std::printf(
      "{\"reader\":\"producer\",\"acked\":%llu,\"failed\":%llu,\"calls\":%llu,\"seconds\":%.3f,"
      "\"records_per_s\":%.0f,\"max_late_ms\":%.3f,\"shards\":%d,\"resubscribes\":%llu}\n",
      (unsigned long long)acked.load(), (unsigned long long)stats.failed.load(),
      (unsigned long long)stats.calls.load(), put_seconds, acked.load() / put_seconds, stats.max_late_ns.load() / 1e6,
      o.shards, (unsigned long long)subscriber.resubscribes());
  PrintLatency("put_records_ack", &stats.ack);
  PrintLatency("subscribe_to_shard", &efo);
  PrintLatency("get_records_1s", &poll);
  return 0;
}
