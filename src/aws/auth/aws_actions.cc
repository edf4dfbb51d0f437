#include "aws/auth/aws_actions.h"

#include <simdjson.h>

#include <cctype>
#include <optional>

#include "aws/common/cbor.h"
#include "aws/s3/s3_request.h"

namespace aws::auth {
namespace {

using simdjson::dom::element;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The member `name` of an object when it is an object itself.
std::optional<element> ObjectMember(element e, const char* name) {
  element out;
  if (e[name].get(out) != simdjson::SUCCESS || !out.is_object()) return std::nullopt;
  return out;
}

std::string StringField(element e, const char* name) {
  std::string_view v;
  if (e[name].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

// The scalar inside an AttributeValue ({"S": "c-1"}, {"N": "5"}).
std::string ScalarOf(element attribute) {
  simdjson::dom::object o;
  if (attribute.get_object().get(o) != simdjson::SUCCESS) return "";
  for (auto field : o) {
    std::string_view v;
    if (field.value.get_string().get(v) == simdjson::SUCCESS) return std::string(v);
  }
  return "";
}

std::string TableArn(const ArnScope& scope, const std::string& table) {
  if (table.rfind("arn:", 0) == 0) return table;
  return "arn:aws:dynamodb:" + scope.region + ":" + scope.account + ":table/" + table;
}

// Names in a ProjectionExpression ("#n, price, tags[0].a" -> name, price, tags).
void ProjectionNames(std::string_view expression, std::optional<element> names, Operation* op) {
  size_t start = 0;
  while (start <= expression.size()) {
    size_t comma = expression.find(',', start);
    if (comma == std::string_view::npos) comma = expression.size();
    std::string_view path = Trim(expression.substr(start, comma - start));
    path = path.substr(0, path.find_first_of(".["));
    if (!path.empty()) {
      std::string name(path);
      if (path[0] == '#') {
        std::string_view resolved;
        if (names && (*names)[name].get_string().get(resolved) == simdjson::SUCCESS) name = resolved;
      }
      op->context.emplace_back("dynamodb:Attributes", std::move(name));
    }
    start = comma + 1;
  }
}

// The partition key value of a Query: the `<hash key> = :v` part of the
// KeyConditionExpression.
std::string QueryLeadingKey(element root, const std::string& hash_key) {
  std::string expression = StringField(root, "KeyConditionExpression");
  std::optional<element> names = ObjectMember(root, "ExpressionAttributeNames");
  std::optional<element> values = ObjectMember(root, "ExpressionAttributeValues");
  std::string upper = expression;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  size_t start = 0;
  while (start <= expression.size()) {
    size_t and_pos = upper.find(" AND ", start);
    if (and_pos == std::string::npos) and_pos = expression.size();
    std::string_view part = Trim(std::string_view(expression).substr(start, and_pos - start));
    while (!part.empty() && part.front() == '(') part.remove_prefix(1);
    while (!part.empty() && part.back() == ')') part.remove_suffix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && eq > 0 && part[eq - 1] != '<' && part[eq - 1] != '>') {
      std::string left(Trim(part.substr(0, eq)));
      std::string right(Trim(part.substr(eq + 1)));
      if (right.size() > 0 && right[0] != ':') std::swap(left, right);
      if (!left.empty() && left[0] == '#') {
        std::string_view resolved;
        if (names && (*names)[left].get_string().get(resolved) == simdjson::SUCCESS) left = resolved;
      }
      if (left == hash_key && values) {
        element v;
        if ((*values)[right].get(v) == simdjson::SUCCESS) return ScalarOf(v);
      }
    }
    start = and_pos + 5;
  }
  return "";
}

void DescribeDynamoDb(std::string_view name, element root, const ArnScope& scope, Operation* op) {
  auto add_table = [&](const std::string& table) {
    if (!table.empty()) op->resources.push_back(TableArn(scope, table));
  };
  if (name == "BatchGetItem" || name == "BatchWriteItem") {
    simdjson::dom::object items;
    if (root["RequestItems"].get_object().get(items) == simdjson::SUCCESS) {
      for (auto field : items) add_table(std::string(field.key));
    }
    return;
  }
  if (name == "TransactWriteItems" || name == "TransactGetItems") {
    simdjson::dom::array items;
    if (root["TransactItems"].get_array().get(items) == simdjson::SUCCESS) {
      for (element item : items) {
        simdjson::dom::object o;
        if (item.get_object().get(o) != simdjson::SUCCESS) continue;
        for (auto field : o) {
          std::string table = StringField(field.value, "TableName");
          if (table.empty()) continue;
          std::string_view kind = field.key;
          // Put, Update, Delete, ConditionCheck, Get -> the item action it is.
          std::string action = kind == "ConditionCheck" ? "ConditionCheckItem" : std::string(kind) + "Item";
          op->resources.push_back(TableArn(scope, table));
          op->actions.push_back("dynamodb:" + action);
        }
      }
    }
    op->context.emplace_back("dynamodb:EnclosingOperation", std::string(name));
    return;
  }
  std::string table = StringField(root, "TableName");
  if (table.empty()) table = StringField(root, "ResourceArn");
  add_table(table);
  if (table.empty()) return;

  std::string hash_key = scope.hash_key_of && (name == "GetItem" || name == "PutItem" || name == "UpdateItem" ||
                                               name == "DeleteItem" || name == "Query")
                             ? scope.hash_key_of(table)
                             : "";
  if (!hash_key.empty()) {
    std::string leading;
    element key;
    if (name == "PutItem") {
      if (root["Item"][hash_key].get(key) == simdjson::SUCCESS) leading = ScalarOf(key);
    } else if (name == "Query") {
      leading = QueryLeadingKey(root, hash_key);
    } else if (root["Key"][hash_key].get(key) == simdjson::SUCCESS) {
      leading = ScalarOf(key);
    }
    if (!leading.empty()) op->context.emplace_back("dynamodb:LeadingKeys", std::move(leading));
  }
  if (name == "PutItem") {
    simdjson::dom::object item;
    if (root["Item"].get_object().get(item) == simdjson::SUCCESS) {
      for (auto field : item) op->context.emplace_back("dynamodb:Attributes", std::string(field.key));
    }
  }
  std::string projection = StringField(root, "ProjectionExpression");
  if (!projection.empty()) ProjectionNames(projection, ObjectMember(root, "ExpressionAttributeNames"), op);
  simdjson::dom::array to_get;
  if (root["AttributesToGet"].get_array().get(to_get) == simdjson::SUCCESS) {
    for (element e : to_get) {
      std::string_view v;
      if (e.get_string().get(v) == simdjson::SUCCESS) op->context.emplace_back("dynamodb:Attributes", std::string(v));
    }
  }
  std::string select = StringField(root, "Select");
  if (!select.empty()) op->context.emplace_back("dynamodb:Select", select);
}

Operation DescribeJson(const gateway::Request& request, const ArnScope& scope) {
  Operation op;
  std::string_view target = request.Header("X-Amz-Target");
  size_t dot = target.find('.');
  std::string_view prefix = target.substr(0, dot);
  std::string_view name = dot == std::string_view::npos ? "" : target.substr(dot + 1);
  bool kinesis = prefix.rfind("Kinesis", 0) == 0;
  bool dynamodb = prefix.rfind("DynamoDB", 0) == 0;
  std::string service = kinesis ? "kinesis" : dynamodb ? "dynamodb" : "unknown";
  op.action = service + ":" + std::string(name);

  if (kinesis && request.Header("Content-Type").rfind("application/x-amz-cbor", 0) == 0) {
    // The Java SDK's CBOR 1.1: the same members, as a CBOR map.
    cbor::Document doc;
    std::string arn;
    if (!doc.Parse(request.body) && doc.root().is_map()) {
      auto text = [&](const char* name) {
        const cbor::Value* v = doc.root().Find(name);
        return v != nullptr && v->type == cbor::Value::Type::kText ? std::string(v->text) : std::string();
      };
      arn = text("StreamARN");
      if (arn.empty()) arn = text("ConsumerARN");
      std::string stream = text("StreamName");
      if (arn.empty() && !stream.empty()) {
        arn = "arn:aws:kinesis:" + scope.region + ":" + scope.account + ":stream/" + stream;
      }
    }
    op.resources.push_back(arn.empty() ? "*" : arn);
    return op;
  }
  thread_local simdjson::dom::parser parser;
  element root;
  simdjson::padded_string body(request.body);
  if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
    op.resources.push_back("*");
    return op;
  }
  if (kinesis) {
    std::string arn = StringField(root, "StreamARN");
    if (arn.empty()) arn = StringField(root, "ConsumerARN");
    if (arn.empty()) arn = StringField(root, "ResourceARN");
    std::string stream = StringField(root, "StreamName");
    if (arn.empty() && !stream.empty()) {
      arn = "arn:aws:kinesis:" + scope.region + ":" + scope.account + ":stream/" + stream;
    }
    op.resources.push_back(arn.empty() ? "*" : arn);
  } else if (dynamodb) {
    DescribeDynamoDb(name, root, scope, &op);
  }
  if (op.resources.empty()) op.resources.push_back("*");
  return op;
}

Operation DescribeLambda(const gateway::Request& request, const ArnScope& scope) {
  Operation op;
  // /2015-03-31/functions[/<name>[/invocations]], /2015-03-31/event-source-mappings/[<uuid>]
  std::string_view path = request.path;
  path.remove_prefix(std::min<size_t>(path.size(), std::string_view("/2015-03-31/").size()));
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    size_t slash = path.find('/');
    if (slash != 0) parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  const std::string& method = request.method;
  auto function_arn = [&](std::string_view name) {
    if (name.rfind("arn:", 0) == 0) return std::string(name);
    return "arn:aws:lambda:" + scope.region + ":" + scope.account + ":function:" + std::string(name);
  };
  std::string action = "Unknown";
  std::string resource = "*";
  if (!parts.empty() && parts[0] == "functions") {
    if (parts.size() == 1) {
      action = method == "POST" ? "CreateFunction" : "ListFunctions";
    } else {
      resource = function_arn(parts[1]);
      if (parts.size() >= 3 && parts[2] == "invocations") action = "InvokeFunction";
      else if (method == "DELETE") action = "DeleteFunction";
      else if (method == "PUT") action = "UpdateFunctionConfiguration";
      else action = "GetFunction";
    }
  } else if (!parts.empty() && parts[0] == "event-source-mappings") {
    if (parts.size() == 1) {
      action = method == "POST" ? "CreateEventSourceMapping" : "ListEventSourceMappings";
    } else {
      resource = "arn:aws:lambda:" + scope.region + ":" + scope.account + ":event-source-mapping:" +
                 std::string(parts[1]);
      action = method == "DELETE" ? "DeleteEventSourceMapping"
               : method == "PUT"  ? "UpdateEventSourceMapping"
                                  : "GetEventSourceMapping";
    }
  }
  op.action = "lambda:" + action;
  op.resources.push_back(resource);
  return op;
}

Operation DescribeS3(const gateway::Request& request) {
  Operation op;
  auto parsed = s3::ParseS3Request(request);
  if (!parsed.ok()) {
    op.action = "s3:ListAllMyBuckets";
    op.resources.push_back("*");
    return op;
  }
  const s3::S3Request& r = *parsed;
  const std::string& m = request.method;
  std::string action;
  if (r.bucket.empty()) {
    action = "ListAllMyBuckets";
  } else if (r.key.empty()) {
    if (m == "PUT") action = "CreateBucket";
    else if (m == "DELETE") action = "DeleteBucket";
    else if (m == "POST" && r.Has("delete")) action = "DeleteObject";
    else if (r.Has("uploads")) action = "ListBucketMultipartUploads";
    else if (r.Has("location")) action = "GetBucketLocation";
    else action = "ListBucket";
    if (action == "ListBucket") {
      if (auto prefix = r.Param("prefix")) op.context.emplace_back("s3:prefix", *prefix);
      if (auto delimiter = r.Param("delimiter")) op.context.emplace_back("s3:delimiter", *delimiter);
      if (auto max_keys = r.Param("max-keys")) op.context.emplace_back("s3:max-keys", *max_keys);
    }
  } else {
    if (m == "GET" && r.Has("uploadId")) action = "ListMultipartUploadParts";
    else if (m == "GET" || m == "HEAD") action = "GetObject";
    else if (m == "DELETE" && r.Has("uploadId")) action = "AbortMultipartUpload";
    else if (m == "DELETE") action = "DeleteObject";
    else action = "PutObject";  // PUT, part uploads, POST ?uploads / ?uploadId
  }
  op.action = "s3:" + action;
  if (r.bucket.empty()) op.resources.push_back("*");
  else if (r.key.empty() || action == "DeleteObject") {
    // Multi-object delete names its keys in the body; authorize the bucket's objects.
    op.resources.push_back("arn:aws:s3:::" + r.bucket + (r.key.empty() && action == "DeleteObject" ? "/*" : ""));
    if (!r.key.empty()) op.resources.back() += "/" + r.key;
  } else {
    op.resources.push_back("arn:aws:s3:::" + r.bucket + "/" + r.key);
  }
  return op;
}

Operation DescribeQuery(const gateway::Request& request, const ArnScope& scope) {
  Operation op;
  std::string action, user, role, policy_arn;
  for (const auto& [k, v] : QueryParams(request)) {
    if (k == "Action") action = v;
    else if (k == "UserName") user = v;
    else if (k == "RoleName") role = v;
    else if (k == "PolicyArn" || k == "PolicySourceArn") policy_arn = v;
  }
  bool sts = action == "GetCallerIdentity" || action == "AssumeRole" || action == "GetSessionToken";
  op.action = std::string(sts ? "sts:" : "iam:") + action;
  op.needs_no_permission = action == "GetCallerIdentity";
  std::string prefix = "arn:aws:iam::" + scope.account + ":";
  if (!user.empty()) op.resources.push_back(prefix + "user/" + user);
  else if (!role.empty()) op.resources.push_back(prefix + "role/" + role);
  else if (!policy_arn.empty()) op.resources.push_back(policy_arn);
  else op.resources.push_back("*");
  return op;
}

}  // namespace

Protocol ProtocolOf(const gateway::Request& request, std::string_view scope_service) {
  if (!request.Header("X-Amz-Target").empty()) return Protocol::kJson;
  if (request.path.rfind("/2015-03-31/", 0) == 0) return Protocol::kRestJson;
  if (scope_service == "iam" || scope_service == "sts") return Protocol::kQuery;
  return Protocol::kS3;
}

std::vector<std::pair<std::string, std::string>> QueryParams(const gateway::Request& request) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view text = request.method == "GET" ? std::string_view(request.query) : std::string_view(request.body);
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    size_t eq = pair.find('=');
    out.emplace_back(gateway::PercentDecode(pair.substr(0, eq), true),
                     eq == std::string_view::npos ? "" : gateway::PercentDecode(pair.substr(eq + 1), true));
  }
  return out;
}

Operation DescribeOperation(const gateway::Request& request, Protocol protocol, const ArnScope& scope) {
  switch (protocol) {
    case Protocol::kJson: return DescribeJson(request, scope);
    case Protocol::kRestJson: return DescribeLambda(request, scope);
    case Protocol::kS3: return DescribeS3(request);
    case Protocol::kQuery: return DescribeQuery(request, scope);
  }
  return {};
}

}  // namespace aws::auth
