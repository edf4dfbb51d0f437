#include "aws/lambda/lambda_handler.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "aws/lambda/external_function.h"
#include "common/clock.h"

namespace aws::lambda {
namespace {

using nlohmann::json;

constexpr std::string_view kAccountArn = "arn:aws:lambda:us-east-1:000000000000:function:";
constexpr std::string_view kStreamArnPrefix = "arn:aws:kinesis:us-east-1:000000000000:stream/";

gateway::Response Error(int status, std::string_view type, std::string_view message, const gateway::Request& request) {
  gateway::Response response = gateway::Response::Json(status, json{{"Type", "User"}, {"message", message}}.dump());
  response.headers.Set("X-Amzn-ErrorType", std::string(type));
  response.headers.Set("x-amzn-RequestId", request.request_id);
  return response;
}

gateway::Response FromStatus(const common::Status& status, const gateway::Request& request) {
  switch (status.code()) {
    case common::Status::Code::kNotFound:
      return Error(404, "ResourceNotFoundException", status.message(), request);
    case common::Status::Code::kAlreadyExists:
    case common::Status::Code::kResourceInUse:
      return Error(409, "ResourceConflictException", status.message(), request);
    case common::Status::Code::kInvalidArgument:
      return Error(400, "InvalidParameterValueException", status.message(), request);
    default:
      return Error(500, "ServiceException", status.message(), request);
  }
}

gateway::Response Ok(int status, const json& body, const gateway::Request& request) {
  gateway::Response response = gateway::Response::Json(status, body.dump());
  response.headers.Set("x-amzn-RequestId", request.request_id);
  return response;
}

std::string StreamName(std::string_view arn_or_name) {
  if (arn_or_name.substr(0, kStreamArnPrefix.size()) == kStreamArnPrefix) {
    arn_or_name.remove_prefix(kStreamArnPrefix.size());
  }
  return std::string(arn_or_name);
}

std::string FunctionName(std::string_view arn_or_name) {
  if (arn_or_name.substr(0, kAccountArn.size()) == kAccountArn) arn_or_name.remove_prefix(kAccountArn.size());
  return std::string(arn_or_name);
}

json Describe(const functions::MappingStatus& status) {
  const auto& c = status.config;
  json out = {
      {"UUID", c.id},
      {"EventSourceArn", std::string(kStreamArnPrefix) + c.stream_name},
      {"FunctionArn", std::string(kAccountArn) + c.function_name},
      {"BatchSize", c.batch_size},
      {"MaximumBatchingWindowInSeconds", c.maximum_batching_window_ms / 1000},
      {"StartingPosition", functions::StartingPositionName(c.starting_position)},
      {"ParallelizationFactor", c.parallelization_factor},
      {"MaximumRetryAttempts", c.maximum_retry_attempts},
      {"MaximumRecordAgeInSeconds", c.maximum_record_age_seconds},
      {"BisectBatchOnFunctionError", c.bisect_batch_on_function_error},
      {"TumblingWindowInSeconds", c.tumbling_window_seconds},
      {"FunctionResponseTypes", c.report_batch_item_failures ? json::array({"ReportBatchItemFailures"}) : json::array()},
      {"DestinationConfig",
       c.on_failure_stream.empty()
           ? json::object()
           : json{{"OnFailure", {{"Destination", std::string(kStreamArnPrefix) + c.on_failure_stream}}}}},
      {"State", status.state},
      {"StateTransitionReason", "USER_INITIATED"},
      {"LastProcessingResult", status.last_processing_result},
      {"LastModified", static_cast<double>(common::SystemClock::Default()->NowMillis()) / 1000.0},
  };
  if (c.starting_position == functions::StartingPosition::kAtTimestamp) {
    out["StartingPositionTimestamp"] = static_cast<double>(c.starting_position_timestamp_millis) / 1000.0;
  }
  return out;
}

// Applies the members Lambda allows in Create/UpdateEventSourceMapping.
common::Status ApplyBody(const json& body, functions::EventSourceMappingConfig* c) {
  auto get_int = [&](const char* name, int* out, int scale = 1) -> common::Status {
    if (!body.contains(name)) return common::Status::OK();
    if (!body[name].is_number_integer()) return common::Status::InvalidArgument(fmt::format("{} must be an integer", name));
    *out = body[name].get<int>() * scale;
    return common::Status::OK();
  };
  auto get_bool = [&](const char* name, bool* out) -> common::Status {
    if (!body.contains(name)) return common::Status::OK();
    if (!body[name].is_boolean()) return common::Status::InvalidArgument(fmt::format("{} must be a boolean", name));
    *out = body[name].get<bool>();
    return common::Status::OK();
  };
  RETURN_IF_ERROR(get_int("BatchSize", &c->batch_size));
  RETURN_IF_ERROR(get_int("MaximumBatchingWindowInSeconds", &c->maximum_batching_window_ms, 1000));
  RETURN_IF_ERROR(get_int("ParallelizationFactor", &c->parallelization_factor));
  RETURN_IF_ERROR(get_int("MaximumRetryAttempts", &c->maximum_retry_attempts));
  RETURN_IF_ERROR(get_int("MaximumRecordAgeInSeconds", &c->maximum_record_age_seconds));
  RETURN_IF_ERROR(get_int("TumblingWindowInSeconds", &c->tumbling_window_seconds));
  RETURN_IF_ERROR(get_bool("BisectBatchOnFunctionError", &c->bisect_batch_on_function_error));
  RETURN_IF_ERROR(get_bool("Enabled", &c->enabled));
  if (body.contains("FunctionResponseTypes")) {
    const json& types = body["FunctionResponseTypes"];
    if (!types.is_array()) return common::Status::InvalidArgument("FunctionResponseTypes must be a list");
    c->report_batch_item_failures = false;
    for (const json& t : types) {
      if (t != "ReportBatchItemFailures") {
        return common::Status::InvalidArgument("FunctionResponseTypes may only contain ReportBatchItemFailures");
      }
      c->report_batch_item_failures = true;
    }
  }
  if (body.contains("DestinationConfig")) {
    const json& d = body["DestinationConfig"];
    if (d.contains("OnFailure") && d["OnFailure"].contains("Destination") && d["OnFailure"]["Destination"].is_string()) {
      c->on_failure_stream = StreamName(d["OnFailure"]["Destination"].get<std::string>());
    }
  }
  return common::Status::OK();
}

common::Result<json> ParseBody(const gateway::Request& request) {
  json body = json::parse(request.body.empty() ? std::string("{}") : request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return common::Status::InvalidArgument("the request body is not a JSON object");
  }
  return body;
}

}  // namespace

gateway::Response LambdaHandler::Handle(const gateway::Request& request) {
  std::string_view path = request.path;
  path.remove_prefix(std::min(path.size(), kPathPrefix.size()));
  auto split = path.find('/');
  std::string_view collection = path.substr(0, split);
  std::string id = split == std::string_view::npos ? "" : std::string(path.substr(split + 1));
  while (!id.empty() && id.back() == '/') id.pop_back();

  if (collection == "functions") {
    if (request.method != "GET") return Error(405, "InvalidRequestContentException", "unsupported method", request);
    auto names = runtime_->ListFunctions();
    auto describe = [this](const std::string& name) {
      json d = {{"FunctionName", name}, {"FunctionArn", std::string(kAccountArn) + name},
                {"Runtime", "provided"}, {"Handler", "builtin"}, {"PackageType", "Zip"},
                {"Description", "built-in Rivulet function"}, {"State", "Active"}};
      auto* external = dynamic_cast<const ExternalFunction*>(runtime_->GetFunction(name).get());
      if (external != nullptr) {
        const ExternalFunctionOptions& o = external->options();
        d["Handler"] = o.handler;
        d["Description"] = "external function: " + o.command;
        d["Timeout"] = o.timeout_ms / 1000;
        d["MemorySize"] = o.memory_mb;
      }
      return d;
    };
    if (id.empty()) {
      json list = json::array();
      for (const auto& n : names) list.push_back(describe(n));
      return Ok(200, json{{"Functions", list}}, request);
    }
    std::string name = FunctionName(id);
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return Error(404, "ResourceNotFoundException", fmt::format("Function not found: {}{}", kAccountArn, name), request);
    }
    json function = {{"Configuration", describe(name)}, {"Code", {{"RepositoryType", "S3"}}}};
    // An external function's processes: Lambda's reserved concurrency.
    if (auto* external = dynamic_cast<const ExternalFunction*>(runtime_->GetFunction(name).get())) {
      function["Concurrency"] = {{"ReservedConcurrentExecutions", external->options().concurrency}};
    }
    return Ok(200, function, request);
  }
  if (collection != "event-source-mappings") {
    return Error(404, "ResourceNotFoundException", fmt::format("no Lambda API at {}", request.path), request);
  }
  if (id.empty()) {
    if (request.method == "POST") return CreateMapping(request);
    if (request.method == "GET") return ListMappings(request);
    return Error(405, "InvalidRequestContentException", "unsupported method", request);
  }
  if (request.method == "GET" || request.method == "DELETE") {
    auto status = runtime_->GetMapping(id);
    if (!status.ok()) {
      return Error(404, "ResourceNotFoundException", fmt::format("The resource you requested does not exist. (Service: Lambda, Status Code: 404)"), request);
    }
    if (request.method == "GET") return Ok(200, Describe(*status), request);
    if (store_ != nullptr) {
      if (auto s = store_->Delete(id); !s.ok()) return FromStatus(s, request);
    }
    if (auto s = runtime_->DeleteMapping(id); !s.ok()) return FromStatus(s, request);
    status->state = "Deleting";
    return Ok(202, Describe(*status), request);
  }
  if (request.method == "PUT") return UpdateMapping(request, id);
  return Error(405, "InvalidRequestContentException", "unsupported method", request);
}

gateway::Response LambdaHandler::CreateMapping(const gateway::Request& request) {
  auto body = ParseBody(request);
  if (!body.ok()) return FromStatus(body.status(), request);
  functions::EventSourceMappingConfig config;
  if (!body->contains("FunctionName") || !(*body)["FunctionName"].is_string()) {
    return Error(400, "InvalidParameterValueException", "FunctionName is required", request);
  }
  if (!body->contains("EventSourceArn") || !(*body)["EventSourceArn"].is_string()) {
    return Error(400, "InvalidParameterValueException", "EventSourceArn is required", request);
  }
  config.function_name = FunctionName((*body)["FunctionName"].get<std::string>());
  config.stream_name = StreamName((*body)["EventSourceArn"].get<std::string>());
  if (!body->contains("StartingPosition") || !(*body)["StartingPosition"].is_string()) {
    return Error(400, "InvalidParameterValueException", "StartingPosition is required for Kinesis sources", request);
  }
  auto position = functions::ParseStartingPosition((*body)["StartingPosition"].get<std::string>());
  if (!position.ok()) return FromStatus(position.status(), request);
  config.starting_position = *position;
  if (body->contains("StartingPositionTimestamp") && (*body)["StartingPositionTimestamp"].is_number()) {
    config.starting_position_timestamp_millis =
        static_cast<int64_t>((*body)["StartingPositionTimestamp"].get<double>() * 1000);
  }
  if (auto s = ApplyBody(*body, &config); !s.ok()) return FromStatus(s, request);
  auto id = runtime_->CreateMapping(config);
  if (!id.ok()) return FromStatus(id.status(), request);
  if (store_ != nullptr) {
    config.id = *id;
    if (auto s = store_->Save(config); !s.ok()) {
      (void)runtime_->DeleteMapping(*id);  // not durable: do not pretend it exists
      return FromStatus(s, request);
    }
  }
  auto status = runtime_->GetMapping(*id);
  if (!status.ok()) return FromStatus(status.status(), request);
  return Ok(202, Describe(*status), request);
}

gateway::Response LambdaHandler::UpdateMapping(const gateway::Request& request, const std::string& uuid) {
  auto body = ParseBody(request);
  if (!body.ok()) return FromStatus(body.status(), request);
  auto current = runtime_->GetMapping(uuid);
  if (!current.ok()) return FromStatus(current.status(), request);
  functions::EventSourceMappingConfig config = current->config;
  if (auto s = ApplyBody(*body, &config); !s.ok()) return FromStatus(s, request);
  if (auto s = runtime_->UpdateMapping(uuid, config); !s.ok()) return FromStatus(s, request);
  if (store_ != nullptr) {
    config.id = uuid;
    if (auto s = store_->Save(config); !s.ok()) return FromStatus(s, request);
  }
  auto status = runtime_->GetMapping(uuid);
  if (!status.ok()) return FromStatus(status.status(), request);
  return Ok(202, Describe(*status), request);
}

common::Status LambdaHandler::RestoreMappings() {
  if (store_ == nullptr) return common::Status::OK();
  ASSIGN_OR_RETURN(std::vector<functions::EventSourceMappingConfig> stored, store_->LoadAll());
  for (auto& config : stored) {
    std::string id = config.id;
    auto created = runtime_->CreateMapping(std::move(config));
    if (!created.ok()) {
      spdlog::error("event-source mapping {} (created through the Lambda API) cannot start: {}", id,
                    created.status().ToString());
    }
  }
  return common::Status::OK();
}

gateway::Response LambdaHandler::ListMappings(const gateway::Request& request) {
  std::string function = FunctionName(request.QueryParam("FunctionName").value_or(""));
  std::string stream = StreamName(request.QueryParam("EventSourceArn").value_or(""));
  json list = json::array();
  for (const auto& m : runtime_->ListMappings()) {
    if (!function.empty() && m.config.function_name != function) continue;
    if (!stream.empty() && m.config.stream_name != stream) continue;
    list.push_back(Describe(m));
  }
  return Ok(200, json{{"EventSourceMappings", list}}, request);
}

}  // namespace aws::lambda
