#include "orders/api_policy.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "orders/auth.h"

namespace orders {
namespace {

// What anyone may do, signed in or not.
constexpr char kAnonymous[] = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "Browse", "Effect": "Allow",
   "Action": ["rivulet:ListProducts", "rivulet:GetProduct", "rivulet:ListCategories", "rivulet:PostEvent",
              "rivulet:SignUp", "rivulet:SignIn", "rivulet:SignOut"],
   "Resource": "arn:rivulet:shop:::*"}]})";

// A customer: browse, and their own profile, orders and order updates. The
// ARN pins the owner and the LeadingKeys condition the data's key: both
// must be the caller's id.
constexpr char kCustomer[] = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "Browse", "Effect": "Allow",
   "Action": ["rivulet:ListProducts", "rivulet:GetProduct", "rivulet:ListCategories", "rivulet:PostEvent",
              "rivulet:SignUp", "rivulet:SignIn", "rivulet:SignOut"],
   "Resource": "arn:rivulet:shop:::*"},
  {"Sid": "OwnProfile", "Effect": "Allow", "Action": "rivulet:GetProfile",
   "Resource": "arn:rivulet:shop:::customer/${rivulet:customerId}"},
  {"Sid": "OwnOrders", "Effect": "Allow",
   "Action": ["rivulet:PlaceOrder", "rivulet:ListOrders", "rivulet:GetOrder", "rivulet:CancelOrder"],
   "Resource": "arn:rivulet:shop:::order/${rivulet:customerId}/*",
   "Condition": {"ForAllValues:StringEquals": {"rivulet:LeadingKeys": ["${rivulet:customerId}"]}}},
  {"Sid": "OwnUpdates", "Effect": "Allow", "Action": "rivulet:Subscribe",
   "Resource": "arn:rivulet:shop:::topic/orders/${rivulet:customerId}"}]})";

// An admin: everything in the shop and the console.
constexpr char kAdmin[] = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "Everything", "Effect": "Allow", "Action": "rivulet:*",
   "Resource": ["arn:rivulet:shop:::*", "arn:rivulet:console:::*"]}]})";

std::shared_ptr<const iam::Policy> Parse(const char* document) {
  auto parsed = iam::ParsePolicy(document);
  if (!parsed.ok()) {
    spdlog::critical("built-in web API policy does not parse: {}", parsed.status().ToString());
    std::abort();
  }
  return std::make_shared<const iam::Policy>(std::move(parsed).value());
}

}  // namespace

std::string ShopArn(std::string_view rest) { return "arn:rivulet:shop:::" + std::string(rest); }
std::string ConsoleArn(std::string_view area) { return "arn:rivulet:console:::" + std::string(area); }
std::string OrderArn(std::string_view customer_id, std::string_view order_id) {
  return ShopArn("order/" + std::string(customer_id) + "/" + std::string(order_id));
}
std::string CustomerArn(std::string_view customer_id) { return ShopArn("customer/" + std::string(customer_id)); }

ApiAuthorizer::ApiAuthorizer() : anonymous_(Parse(kAnonymous)), customer_(Parse(kCustomer)), admin_(Parse(kAdmin)) {}

std::string_view ApiAuthorizer::Document(std::string_view role) {
  if (role == "admin") return kAdmin;
  if (role == "customer") return kCustomer;
  return kAnonymous;
}

bool ApiAuthorizer::Allowed(const Principal* principal, std::string_view action, std::string_view resource,
                            std::string_view leading_key) const {
  const iam::Policy* policy = anonymous_.get();
  iam::RequestContext context;
  context.action = std::string(action);
  context.resource = std::string(resource);
  if (principal != nullptr) {
    if (principal->role == "admin") policy = admin_.get();
    else if (principal->role == "customer") policy = customer_.get();
    context.Set("rivulet:customerId", principal->user_id);
    context.Set("aws:userid", principal->user_id);
    context.Set("aws:username", principal->email);
    context.Set("rivulet:role", principal->role);
  }
  if (!leading_key.empty()) context.Set("rivulet:LeadingKeys", std::string(leading_key));
  iam::EvaluationResult result = iam::Evaluate({policy}, context);
  bool allowed = result.decision == iam::Decision::kAllow;
  if (!allowed) {
    spdlog::info("audit principal={} action={} resource={} decision={}",
                 principal != nullptr ? "shop-user/" + principal->user_id : std::string("anonymous"), action,
                 resource, iam::DecisionName(result.decision));
  }
  return allowed;
}

}  // namespace orders
