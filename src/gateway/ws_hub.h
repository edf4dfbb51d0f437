// The WebSocket topic hub behind /ws. Clients send
//   {"op":"subscribe","topic":"orders/42"}  {"op":"unsubscribe","topic":...}
//   {"op":"ping"}
// and receive {"topic":"orders/42","data":<json>} for every Publish() on a
// topic they follow. Later components publish order and analytics updates.
//
// Thread safety: every Hub method may be called from any thread. The hub holds
// clients weakly; a closed connection simply stops receiving.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <functional>
#include <string_view>

#include "gateway/http.h"

namespace gateway {

// One connected client, implemented by the gateway's WebSocket session.
class WsClient {
 public:
  virtual ~WsClient() = default;
  // Queues a text frame without blocking. A client whose queue is full is
  // dropped (connection closed), never allowed to grow memory without bound.
  virtual void Send(std::shared_ptr<const std::string> message) = 0;
  // The HTTP request that opened the socket (headers and cookies tell who is
  // connected); empty for clients that did not come over HTTP.
  virtual const Request& upgrade_request() const {
    static const Request kNone;
    return kNone;
  }
};

// A bounded FIFO of outgoing frames for one connection. Not thread-safe: it
// lives on the connection's own executor.
class OutboundQueue {
 public:
  OutboundQueue(size_t max_messages, size_t max_bytes) : max_messages_(max_messages), max_bytes_(max_bytes) {}
  // False (and nothing queued) when the message would exceed either limit:
  // the caller drops the slow client.
  bool Push(std::shared_ptr<const std::string> message);
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  size_t bytes() const { return bytes_; }
  const std::shared_ptr<const std::string>& front() const { return items_.front(); }
  // Writes the front messages as one JSON array, "[m1,m2,...]", into `frame`:
  // as many as fit in `max_bytes`, and at least one. Returns how many it took;
  // they stay queued until Pop(n).
  size_t Batch(size_t max_bytes, std::string* frame) const;
  void Pop(size_t n = 1);

 private:
  size_t max_messages_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::deque<std::shared_ptr<const std::string>> items_;
};

// The target of a /ws upgrade: "/ws", with "?batch=1" for a client that
// takes every frame as a JSON array of messages (docs/api.md). False for any
// other path.
bool ParseWsTarget(std::string_view target, bool* batch);

class Hub {
 public:
  // Decides whether the client that opened its socket with `upgrade` may
  // follow `topic`. Without a filter every topic is open.
  using SubscribeFilter = std::function<bool(const Request& upgrade, std::string_view topic)>;
  // REQUIRES: called before clients connect.
  void SetSubscribeFilter(SubscribeFilter filter) { filter_ = std::move(filter); }

  static constexpr size_t kMaxTopicBytes = 256;
  static constexpr size_t kMaxTopicsPerClient = 64;

  // Sends {"topic":topic,"data":json} to every subscriber; returns how many.
  // REQUIRES: `json` is one valid JSON value (it is embedded verbatim).
  size_t Publish(std::string_view topic, std::string_view json);

  // Handles one text frame from `client`; returns the reply frame, if any:
  // {"op":"subscribed","topic":...}, {"op":"pong"} or {"op":"error","message":...}.
  std::optional<std::string> HandleMessage(const std::shared_ptr<WsClient>& client, std::string_view text);

  void Subscribe(std::string_view topic, const std::shared_ptr<WsClient>& client);
  void Unsubscribe(std::string_view topic, const WsClient* client);
  // Called when a connection closes.
  void UnsubscribeAll(const WsClient* client);
  size_t SubscriberCount(std::string_view topic) const;

 private:
  SubscribeFilter filter_;
  mutable std::mutex mu_;
  // topic -> subscribers; guarded by mu_.
  std::map<std::string, std::map<const WsClient*, std::weak_ptr<WsClient>>, std::less<>> topics_;
  // client -> number of topics, to cap subscriptions; guarded by mu_.
  std::map<const WsClient*, size_t> topic_counts_;
};

}  // namespace gateway
