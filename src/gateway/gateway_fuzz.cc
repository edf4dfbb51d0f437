// libFuzzer target for the gateway's own parsers of client bytes: WebSocket
// control messages (Hub::HandleMessage), route matching, query parameters and
// percent-decoding, JSON validation. None may crash or hang on any input.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/http.h"
#include "gateway/router.h"
#include "gateway/ws_hub.h"

namespace {

class NullClient : public gateway::WsClient {
 public:
  void Send(std::shared_ptr<const std::string>) override {}
};

gateway::Router& TestRouter() {
  static gateway::Router* router = [] {
    auto* r = new gateway::Router();
    auto ok = gateway::Sync([](gateway::Request&) { return gateway::Response{}; });
    (void)r->Add("GET", "/api/orders/{id}", ok);
    (void)r->Add("POST", "/api/orders", ok);
    (void)r->Add("GET", "/files/*", ok);
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  static gateway::Hub hub;
  auto client = std::make_shared<NullClient>();
  (void)hub.HandleMessage(client, input);
  hub.UnsubscribeAll(client.get());

  (void)TestRouter().Find("GET", input);
  gateway::Request request;
  request.query = input;
  (void)request.QueryParam("limit");
  (void)gateway::PercentDecode(input, true);
  (void)gateway::ValidateJson(input);
  return 0;
}
