#include "gateway/ws_hub.h"

#include <vector>

#include <simdjson.h>

#include "common/logging.h"

namespace gateway {

bool OutboundQueue::Push(std::shared_ptr<const std::string> message) {
  if (items_.size() + 1 > max_messages_ || bytes_ + message->size() > max_bytes_) return false;
  bytes_ += message->size();
  items_.push_back(std::move(message));
  return true;
}

size_t OutboundQueue::Batch(size_t max_bytes, std::string* frame) const {
  frame->assign(1, '[');
  size_t taken = 0;
  for (const auto& message : items_) {
    if (taken > 0 && frame->size() + message->size() + 2 > max_bytes) break;
    if (taken++ > 0) frame->push_back(',');
    frame->append(*message);
  }
  frame->push_back(']');
  return taken;
}

void OutboundQueue::Pop(size_t n) {
  for (; n > 0; --n) {
    bytes_ -= items_.front()->size();
    items_.pop_front();
  }
}

bool ParseWsTarget(std::string_view target, bool* batch) {
  size_t q = target.find('?');
  if (target.substr(0, q) != "/ws") return false;
  *batch = false;
  if (q == std::string_view::npos) return true;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    if (query.substr(0, amp) == "batch=1") *batch = true;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return true;
}

size_t Hub::Publish(std::string_view topic, std::string_view json) {
  std::vector<std::shared_ptr<WsClient>> targets;
  {
    std::lock_guard lock(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return 0;
    for (auto sub = it->second.begin(); sub != it->second.end();) {
      if (auto client = sub->second.lock()) {
        targets.push_back(std::move(client));
        ++sub;
      } else {
        sub = it->second.erase(sub);
      }
    }
  }
  if (targets.empty()) return 0;
  auto message = std::make_shared<const std::string>("{\"topic\":\"" + common::JsonEscape(topic) +
                                                     "\",\"data\":" + std::string(json) + "}");
  for (auto& client : targets) client->Send(message);
  return targets.size();
}

void Hub::Subscribe(std::string_view topic, const std::shared_ptr<WsClient>& client) {
  std::lock_guard lock(mu_);
  auto& subs = topics_[std::string(topic)];
  if (subs.emplace(client.get(), client).second) ++topic_counts_[client.get()];
}

void Hub::Unsubscribe(std::string_view topic, const WsClient* client) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || it->second.erase(client) == 0) return;
  if (it->second.empty()) topics_.erase(it);
  if (--topic_counts_[client] == 0) topic_counts_.erase(client);
}

void Hub::UnsubscribeAll(const WsClient* client) {
  std::lock_guard lock(mu_);
  for (auto it = topics_.begin(); it != topics_.end();) {
    it->second.erase(client);
    it = it->second.empty() ? topics_.erase(it) : std::next(it);
  }
  topic_counts_.erase(client);
}

size_t Hub::SubscriberCount(std::string_view topic) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.size();
}

std::optional<std::string> Hub::HandleMessage(const std::shared_ptr<WsClient>& client, std::string_view text) {
  auto error = [](std::string_view message) {
    return "{\"op\":\"error\",\"message\":\"" + common::JsonEscape(message) + "\"}";
  };
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  auto doc = parser.iterate(padded);
  std::string_view op, topic;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return error("expected a JSON object");
  if (obj["op"].get_string().get(op) != simdjson::SUCCESS) return error("missing string field 'op'");
  std::string op_copy(op);  // the next field lookup may invalidate `op`'s buffer position
  if (op_copy == "ping") return std::string("{\"op\":\"pong\"}");
  if (op_copy != "subscribe" && op_copy != "unsubscribe") {
    return error("unknown op '" + op_copy + "'; use subscribe, unsubscribe or ping");
  }
  obj.reset();
  if (obj["topic"].get_string().get(topic) != simdjson::SUCCESS || topic.empty()) {
    return error("missing string field 'topic'");
  }
  if (topic.size() > kMaxTopicBytes) {
    return error("topic is " + std::to_string(topic.size()) + " bytes; the limit is " +
                 std::to_string(kMaxTopicBytes));
  }
  std::string topic_copy(topic);
  if (op_copy == "subscribe") {
    if (filter_ && !filter_(client->upgrade_request(), topic_copy)) {
      return error("not allowed to follow '" + topic_copy + "'; sign in with an account that may");
    }
    {
      std::lock_guard lock(mu_);
      auto it = topic_counts_.find(client.get());
      if (it != topic_counts_.end() && it->second >= kMaxTopicsPerClient) {
        return error("a connection may follow at most " + std::to_string(kMaxTopicsPerClient) + " topics");
      }
    }
    Subscribe(topic_copy, client);
    return "{\"op\":\"subscribed\",\"topic\":\"" + common::JsonEscape(topic_copy) + "\"}";
  }
  Unsubscribe(topic_copy, client.get());
  return "{\"op\":\"unsubscribed\",\"topic\":\"" + common::JsonEscape(topic_copy) + "\"}";
}

}  // namespace gateway
