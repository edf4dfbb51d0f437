#include "gateway/debug_routes.h"

#include <chrono>
#include <thread>

#include <simdjson.h>

namespace gateway {

common::Status AddDebugRoutes(Router* router, Hub* hub, Throttler* throttler) {
  RETURN_IF_ERROR(router->Add("POST", "/api/_debug/publish", Sync([hub](Request& req) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(req.body);
    simdjson::dom::element doc;
    std::string_view topic;
    simdjson::dom::element data;
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS || doc["topic"].get_string().get(topic) ||
        doc["data"].get(data)) {
      return Response::Problem(400, "InvalidArgument", "expected {\"topic\": string, \"data\": any}",
                               req.request_id);
    }
    size_t delivered = hub->Publish(topic, simdjson::minify(data));
    return Response::Json(200, "{\"delivered\":" + std::to_string(delivered) + "}");
  })));
  RETURN_IF_ERROR(router->Add("POST", "/api/_debug/echo", Sync([](Request& req) {
    common::Status status = ValidateJson(req.body);
    if (!status.ok()) return Response::FromStatus(status, req.request_id);
    return Response::Json(200, req.body);
  })));
  RETURN_IF_ERROR(router->Add("GET", "/api/_debug/slow", [](Request& req, Respond respond) {
    int ms = 0;
    if (auto v = req.QueryParam("ms")) ms = std::clamp(std::atoi(v->c_str()), 0, 60'000);
    // A plain thread shows that Respond may run on any thread.
    std::thread([ms, respond = std::move(respond)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      respond(Response::Json(200, "{\"sleptMs\":" + std::to_string(ms) + "}"));
    }).detach();
  }));
  RETURN_IF_ERROR(router->Add("GET", "/api/_debug/throttled", Sync([](Request&) {
    return Response::Json(200, "{\"ok\":true}");
  })));
  throttler->SetLimit("/api/_debug/throttled", 0.5, 2);
  return common::Status::OK();
}

}  // namespace gateway
