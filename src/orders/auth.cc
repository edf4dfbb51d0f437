#include "orders/auth.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "orders/schema.h"
#include "orders/validation.h"

namespace orders {
namespace {

using common::Status;
using table::AttributeValue;
using table::Item;

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string Hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string GetS(const Item& item, const char* name) {
  auto it = item.find(name);
  return it != item.end() && it->second.type() == AttributeValue::Type::kS ? it->second.scalar() : "";
}

Principal FromUserItem(const Item& item) {
  return {GetS(item, "id"), GetS(item, "email"), GetS(item, "name"), GetS(item, "role")};
}

}  // namespace

std::string RandomHex(size_t bytes) {
  std::string buf(bytes, '\0');
  // RAND_bytes fails only when the OS has no entropy source at all.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(buf.data()), static_cast<int>(bytes)) != 1) std::abort();
  return Hex(reinterpret_cast<const unsigned char*>(buf.data()), bytes);
}

bool MaySubscribe(const Authenticator& auth, const Principal* user, std::string_view topic) {
  if (!IsShopTopic(topic)) return false;
  return auth.Allowed(user, "rivulet:Subscribe", ShopArn("topic/" + std::string(topic)));
}

bool IsShopTopic(std::string_view topic) {
  return topic == "admin/orders" || topic == "analytics" || topic.rfind("orders/", 0) == 0;
}

std::string PrincipalJson(const Principal& p) {
  return nlohmann::json{{"id", p.user_id}, {"email", p.email}, {"name", p.name}, {"role", p.role}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

common::Result<std::string> SessionAuth::HashPassword(const std::string& password) const {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Status::Internal("no randomness for a password salt");
  size_t length = argon2_encodedlen(options_.argon2_passes, options_.argon2_memory_kib, 1, kSaltBytes, kHashBytes,
                                    Argon2_id);
  std::string encoded(length, '\0');
  int rc = argon2id_hash_encoded(options_.argon2_passes, options_.argon2_memory_kib, 1, password.data(),
                                 password.size(), salt, sizeof salt, kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Status::Internal(std::string("argon2id: ") + argon2_error_message(rc));
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

bool SessionAuth::VerifyPassword(const std::string& encoded, const std::string& password) const {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

common::Result<std::optional<table::Item>> SessionAuth::FindUserByEmail(const std::string& email) {
  table::QueryRequest query;
  query.table_name = kUsersTable;
  query.index_name = kByEmailIndex;
  query.key_condition_expression = "email = :e";
  query.attributes.values[":e"] = AttributeValue::S(email);
  query.limit = 1;
  ASSIGN_OR_RETURN(table::QueryResult result, tables_->Query(query));
  if (result.items.empty()) return std::optional<table::Item>();
  return std::optional<table::Item>(result.items.front());
}

common::Result<std::optional<std::string>> SessionAuth::UserIdForEmail(const std::string& email) {
  ASSIGN_OR_RETURN(std::optional<Item> found, FindUserByEmail(AsciiLower(email)));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(GetS(*found, "id"));
}

common::Result<Principal> SessionAuth::SignUp(const SignupRequest& request, const std::string& role) {
  // A taken email is answered before the (deliberately slow) hash: the 409
  // tells as much anyway, and a repeated sign-up then costs no argon2 time.
  // The claim below still decides a race.
  const std::string taken_message = "an account with email " + request.email + " exists";
  table::GetItemRequest claimed;
  claimed.table_name = kUsersTable;
  claimed.key = {{"id", AttributeValue::S("email#" + request.email)}};
  ASSIGN_OR_RETURN(std::optional<Item> taken, tables_->GetItem(claimed));
  if (taken) return Status::AlreadyExists(taken_message);
  ASSIGN_OR_RETURN(std::string hash, HashPassword(request.password));
  Principal user{"u-" + RandomHex(8), request.email, request.name, role};
  std::string now = std::to_string(clock_->NowMillis());
  // The claim item makes the email unique: a GSI alone cannot.
  table::TransactWriteItem claim;
  claim.table_name = kUsersTable;
  claim.item = {{"id", AttributeValue::S("email#" + request.email)}, {"userId", AttributeValue::S(user.user_id)}};
  claim.condition_expression = "attribute_not_exists(id)";
  table::TransactWriteItem put;
  put.table_name = kUsersTable;
  put.item = {{"id", AttributeValue::S(user.user_id)},  {"email", AttributeValue::S(user.email)},
              {"name", AttributeValue::S(user.name)},   {"role", AttributeValue::S(role)},
              {"passwordHash", AttributeValue::S(hash)}, {"createdMillis", AttributeValue::N(now)}};
  put.condition_expression = "attribute_not_exists(id)";
  Status s = tables_->TransactWriteItems({claim, put}, "");
  if (s.IsConditionFailed()) return Status::AlreadyExists(taken_message);
  RETURN_IF_ERROR(s);
  return user;
}

common::Result<Principal> SessionAuth::Login(const LoginRequest& request) {
  ASSIGN_OR_RETURN(std::optional<Item> found, FindUserByEmail(request.email));
  if (!found) {
    // Spend the same time as a real check so that response times do not tell
    // which emails have accounts.
    (void)HashPassword(request.password);
    return Status::Unauthenticated("wrong email or password");
  }
  table::GetItemRequest get;
  get.table_name = kUsersTable;
  get.key = {{"id", (*found)["id"]}};
  ASSIGN_OR_RETURN(std::optional<Item> user, tables_->GetItem(get));  // the GSI may not project the hash
  if (!user || !VerifyPassword(GetS(*user, "passwordHash"), request.password)) {
    return Status::Unauthenticated("wrong email or password");
  }
  return FromUserItem(*user);
}

common::Result<std::string> SessionAuth::CreateSession(const Principal& user) {
  std::string token = RandomHex(32);
  int64_t expires = clock_->NowMillis() / 1000 + options_.session_ttl_seconds;
  table::PutItemRequest put;
  put.table_name = kSessionsTable;
  put.item = {{"tokenHash", AttributeValue::S(common::Sha256Hex(token))}, {"userId", AttributeValue::S(user.user_id)},
              {"email", AttributeValue::S(user.email)},          {"name", AttributeValue::S(user.name)},
              {"role", AttributeValue::S(user.role)},            {"expiresAt", AttributeValue::N(std::to_string(expires))}};
  RETURN_IF_ERROR(tables_->PutItem(put).status());
  return token;
}

std::string SessionAuth::TokenFrom(const gateway::Request& request) {
  std::string_view auth = request.Header("Authorization");
  if (auth.size() > 7 && auth.substr(0, 7) == "Bearer ") return std::string(auth.substr(7));
  std::string_view cookies = request.Header("Cookie");
  std::string_view name = kCookieName;
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string_view::npos) end = cookies.size();
    std::string_view part = cookies.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

common::Result<Principal> SessionAuth::Authenticate(const gateway::Request& request) {
  std::string token = TokenFrom(request);
  if (token.empty() || token.size() > 128) return Status::Unauthenticated("sign in first");
  table::GetItemRequest get;
  get.table_name = kSessionsTable;
  get.key = {{"tokenHash", AttributeValue::S(common::Sha256Hex(token))}};
  ASSIGN_OR_RETURN(std::optional<Item> session, tables_->GetItem(get));
  if (!session) return Status::Unauthenticated("the session is unknown or expired; sign in again");
  int64_t expires = 0;
  auto it = session->find("expiresAt");
  if (it != session->end()) expires = std::stoll(it->second.scalar());
  // TTL deletion runs in the background, so expiry is checked here too.
  if (expires <= clock_->NowMillis() / 1000) return Status::Unauthenticated("the session expired; sign in again");
  return Principal{GetS(*session, "userId"), GetS(*session, "email"), GetS(*session, "name"), GetS(*session, "role")};
}

common::Status SessionAuth::Logout(const gateway::Request& request) {
  std::string token = TokenFrom(request);
  if (token.empty()) return Status::OK();
  table::DeleteItemRequest del;
  del.table_name = kSessionsTable;
  del.key = {{"tokenHash", AttributeValue::S(common::Sha256Hex(token))}};
  return tables_->DeleteItem(del).status();
}

common::Result<Principal> SessionAuth::GetUser(const std::string& user_id) {
  table::GetItemRequest get;
  get.table_name = kUsersTable;
  get.key = {{"id", AttributeValue::S(user_id)}};
  ASSIGN_OR_RETURN(std::optional<Item> user, tables_->GetItem(get));
  if (!user || user_id.rfind("email#", 0) == 0) return Status::NotFound("customer '" + user_id + "' does not exist");
  return FromUserItem(*user);
}

std::string SessionAuth::SessionCookie(const std::string& token, bool tls) const {
  return std::string(kCookieName) + "=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
         std::to_string(options_.session_ttl_seconds) + (options_.secure_cookie || tls ? "; Secure" : "");
}

std::string SessionAuth::ClearedCookie(bool tls) const {
  return std::string(kCookieName) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" +
         (options_.secure_cookie || tls ? "; Secure" : "");
}

common::Status SessionAuth::EnsureAdmin(const std::string& email_in, const std::string& password,
                                        std::string* generated) {
  std::string email = AsciiLower(email_in.empty() ? "admin@rivulet.local" : email_in);
  ASSIGN_OR_RETURN(std::optional<Item> found, FindUserByEmail(email));
  if (found) {
    if (GetS(*found, "role") == "admin") return Status::OK();
    table::UpdateItemRequest update;
    update.table_name = kUsersTable;
    update.key = {{"id", (*found)["id"]}};
    update.update_expression = "SET #r = :admin";
    update.attributes.names["#r"] = "role";
    update.attributes.values[":admin"] = AttributeValue::S("admin");
    return tables_->UpdateItem(update).status();
  }
  SignupRequest request{email, password, "Administrator"};
  if (request.password.empty()) request.password = RandomHex(12);
  auto created = SignUp(request, "admin");
  if (created.ok()) {
    if (password.empty()) *generated = request.password;
    return Status::OK();
  }
  // Another node sharing the tables created it first: its password is the one.
  if (created.status().code() == Status::Code::kAlreadyExists) return Status::OK();
  return created.status();
}

}  // namespace orders
