// The Lambda REST API subset people use to look at and steer event-source
// mappings, on the AWS listener under /2015-03-31/:
//   GET    /2015-03-31/functions/                      ListFunctions
//   GET    /2015-03-31/functions/{name}                GetFunction
//   POST   /2015-03-31/event-source-mappings/          CreateEventSourceMapping
//   GET    /2015-03-31/event-source-mappings/          ListEventSourceMappings
//   GET    /2015-03-31/event-source-mappings/{uuid}    GetEventSourceMapping
//   PUT    /2015-03-31/event-source-mappings/{uuid}    UpdateEventSourceMapping
//   DELETE /2015-03-31/event-source-mappings/{uuid}    DeleteEventSourceMapping
// Errors follow Lambda's REST-JSON shape: the HTTP status, an
// `X-Amzn-ErrorType` header and {"Type":"User","message":...}.
#pragma once

#include <string_view>

#include "functions/mapping_store.h"
#include "functions/runtime.h"
#include "gateway/http.h"

namespace aws::lambda {

inline constexpr std::string_view kPathPrefix = "/2015-03-31/";

class LambdaHandler {
 public:
  // REQUIRES: `runtime` (and `store`) outlive the handler. With a store,
  // mappings created, changed and deleted here are saved there, and
  // RestoreMappings starts them again after a restart.
  explicit LambdaHandler(functions::FunctionRuntime* runtime, functions::MappingStore* store = nullptr)
      : runtime_(runtime), store_(store) {}

  // Starts the stored mappings. One whose function or stream is gone is
  // logged and skipped (kept in the store); a store that cannot be read fails.
  common::Status RestoreMappings();

  gateway::Response Handle(const gateway::Request& request);
  gateway::Handler AsHandler() {
    return gateway::Sync([this](gateway::Request& request) { return Handle(request); });
  }

 private:
  gateway::Response CreateMapping(const gateway::Request& request);
  gateway::Response UpdateMapping(const gateway::Request& request, const std::string& uuid);
  gateway::Response ListMappings(const gateway::Request& request);

  functions::FunctionRuntime* runtime_;
  functions::MappingStore* store_;
};

}  // namespace aws::lambda
