#include "aws/common/aws_error.h"

#include "aws/common/json_writer.h"

namespace aws {

gateway::Response JsonResponse(std::string body, std::string_view content_type, std::string_view request_id) {
  gateway::Response response;
  response.status = 200;
  response.headers.Add("Content-Type", std::string(content_type));
  if (!request_id.empty()) response.headers.Add("x-amzn-RequestId", std::string(request_id));
  response.body = std::move(body);
  return response;
}

gateway::Response JsonErrorResponse(const AwsError& error, std::string_view content_type,
                                    std::string_view request_id) {
  JsonWriter json(64 + error.message.size());
  json.BeginObject().Field("__type", error.type);
  if (!error.message.empty()) json.Field("message", error.message);
  json.EndObject();
  gateway::Response response = JsonResponse(json.Take(), content_type, request_id);
  response.status = error.http_status;
  // Some SDKs read the exception name from this header before the body.
  response.headers.Add("x-amzn-ErrorType", error.type);
  return response;
}

}  // namespace aws
