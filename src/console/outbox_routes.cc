// /api/admin/outbox...: the email outbox (queued, sent, failed) and requeueing
// a failed email; /api/admin/iam/...: a clear 503 until the IAM component
// serves its own routes there.
#include "console/routes.h"

namespace console {

// ?state=QUEUED|SENT|FAILED (default QUEUED)&limit=1..200 (default 50):
// {counts: {QUEUED, SENT, FAILED}, countLimit, state, items: [entry]}; a
// count equal to countLimit means at least that many.
Response ListOutbox(const Services& s, Request& request) {
  if (s.outbox == nullptr) return ProblemResponse(503, "email is not configured on this server", request);
  notify::OutboxState state = notify::OutboxState::kQueued;
  std::string name = request.QueryParam("state").value_or("QUEUED");
  if (!notify::ParseStateName(name, &state)) {
    return ProblemResponse(400, "state must be QUEUED, SENT or FAILED; got \"" + name + "\"", request, "state");
  }
  auto limit = request.IntQueryParam("limit", 50, 1, 200);
  if (!limit.ok()) return StatusResponse(limit.status(), request, "limit");
  // Each count reads index keys, and SENT holds every email ever sent: the
  // page polls every 3 s, so counts stop at kCountLimit ("10,000+").
  constexpr int64_t kCountLimit = 10'000;
  nlohmann::json counts = nlohmann::json::object();
  for (auto st : {notify::OutboxState::kQueued, notify::OutboxState::kSent, notify::OutboxState::kFailed}) {
    auto n = s.outbox->Count(st, kCountLimit);
    if (!n.ok()) return StatusResponse(n.status(), request);
    counts[std::string(notify::StateName(st))] = *n;
  }
  auto entries = s.outbox->List(state, static_cast<int>(*limit));
  if (!entries.ok()) return StatusResponse(entries.status(), request);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : *entries) items.push_back(notify::ToJson(e));
  return JsonResponse(
      {{"state", notify::StateName(state)}, {"counts", counts}, {"countLimit", kCountLimit}, {"items", items}});
}

Response RequeueOutbox(const Services& s, Request& request) {
  if (s.outbox == nullptr) return ProblemResponse(503, "email is not configured on this server", request);
  // Ids hold slashes ("<orderId>/CONFIRMED"), so the id travels in the body.
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("id") || !body["id"].is_string() || body["id"].get<std::string>().empty()) {
    return ProblemResponse(400, "the body must be {\"id\": \"<outbox entry id>\"}", request, "id");
  }
  std::string id = body["id"];
  auto status = s.outbox->Requeue(id);
  if (status.code() == common::Status::Code::kConditionFailed) {
    return ProblemResponse(409, "only a FAILED email can be requeued", request);
  }
  if (!status.ok()) return StatusResponse(status, request);
  auto entry = s.outbox->Get(id);
  if (!entry.ok() || !*entry) return JsonResponse({{"id", id}, {"state", "QUEUED"}});
  return JsonResponse(notify::ToJson(**entry));
}

Response IamUnavailable(const Services& s, Request& request) {
  if (s.identities != nullptr) return ProblemResponse(404, "no such IAM view", request);
  nlohmann::json j = {{"type", "urn:rivulet:problem:iam-unavailable"}, {"title", "IAM not available"}, {"status", 503},
                      {"detail", "this server does not serve the IAM console API yet; users, roles, policies and the "
                                 "simulator appear here once it does"},
                      {"requestId", request.request_id}};
  Response r = Response::Json(503, j.dump());
  r.headers.Set("Content-Type", "application/problem+json");
  return r;
}

}  // namespace console
