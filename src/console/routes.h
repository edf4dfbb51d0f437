// Internal: the console's handlers, one function per route. Each runs on the
// console's work queue after the admin check and returns its answer.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "console/console.h"
#include "gateway/http.h"

namespace console {

using gateway::Request;
using gateway::Response;

// problem+json with an optional "field" (the orders API's shape).
Response ProblemResponse(int status, std::string_view detail, const Request& request, std::string_view field = "");
Response StatusResponse(const common::Status& status, const Request& request, std::string_view field = "");
Response JsonResponse(const nlohmann::json& body);

// streams_routes.cc
Response ListStreams(const Services& s, Request& request);
Response GetStream(const Services& s, Request& request);
Response StreamRecords(const Services& s, Request& request);

// data_routes.cc
Response ListTables(const Services& s, Request& request);
Response QueryTable(const Services& s, Request& request);
Response ListBuckets(const Services& s, Request& request);
Response ListObjects(const Services& s, Request& request);
Response DownloadObject(const Services& s, Request& request);

// outbox_routes.cc
Response ListOutbox(const Services& s, Request& request);
Response RequeueOutbox(const Services& s, Request& request);
Response IamUnavailable(const Services& s, Request& request);

// iam_routes.cc (IamUnavailable's 503 while Services::identities is null)
Response IamUsers(const Services& s, Request& request);
Response IamRoles(const Services& s, Request& request);
Response IamPolicies(const Services& s, Request& request);
Response IamSimulate(const Services& s, Request& request);

}  // namespace console
