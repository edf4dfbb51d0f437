// Who may do what on the web API: the shop's roles (anonymous, customer,
// admin) written as IAM policies and evaluated by src/iam's engine, so each
// /api/ handler asks one question, Allowed(principal, action, resource),
// instead of testing roles itself. The documents are in api_policy.cc and
// docs/api.md ("Roles as policies").
//
// Actions are `rivulet:<Verb>` (rivulet:GetOrder). Resources are ARNs:
//   arn:rivulet:shop:::order/<customerId>/<orderId>   one order (owner first)
//   arn:rivulet:shop:::customer/<customerId>          a profile
//   arn:rivulet:shop:::product/<id>, ::analytics, ::topic/<ws topic>,
//   arn:rivulet:console:::<area>, arn:rivulet:shop:::api-key/<id>
// The request context has rivulet:customerId (the caller's user id, also the
// policy variable ${rivulet:customerId}), aws:userid, aws:username (email),
// rivulet:role and, for order data, rivulet:LeadingKeys: the customer id the
// touched items are keyed by, which a customer's policy requires to be its
// own (the DynamoDB dynamodb:LeadingKeys idea).
//
// Thread safety: immutable after construction; Allowed may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "iam/policy.h"

namespace orders {

struct Principal;

std::string OrderArn(std::string_view customer_id, std::string_view order_id);
std::string CustomerArn(std::string_view customer_id);
std::string ShopArn(std::string_view rest);     // "arn:rivulet:shop:::" + rest
std::string ConsoleArn(std::string_view area);  // "arn:rivulet:console:::" + area

class ApiAuthorizer {
 public:
  // Parses the built-in documents (a document that does not parse is a bug: abort).
  ApiAuthorizer();

  // Whether `principal` (null: anonymous) may do `action` on `resource`.
  // `leading_key` (may be empty) is the customer id the data is keyed by.
  // Denials are written to the audit log.
  bool Allowed(const Principal* principal, std::string_view action, std::string_view resource,
               std::string_view leading_key = "") const;

  // The policy document of "anonymous", "customer" or "admin" (docs, tests).
  static std::string_view Document(std::string_view role);

 private:
  std::shared_ptr<const iam::Policy> anonymous_, customer_, admin_;
};

}  // namespace orders
