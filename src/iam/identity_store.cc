#include "iam/identity_store.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>

#include "table/table_client.h"

namespace iam {
namespace {

using common::Status;
using json = nlohmann::json;
using table::AttributeValue;

// Item ids: "user/<name>", "role/<name>", "policy/<arn>", "key/<id>".
json IdentityJson(const Identity& i) {
  json inline_policies = json::object();
  for (const auto& [name, p] : i.inline_policies) inline_policies[name] = p.document;
  return {{"name", i.name}, {"id", i.id}, {"arn", i.arn}, {"path", i.path}, {"created", i.created_millis},
          {"assume", i.assume_role_policy}, {"inline", inline_policies}, {"attached", i.attached}};
}

common::Result<NamedPolicy> MakeNamedPolicy(const std::string& name, const std::string& document) {
  ASSIGN_OR_RETURN(Policy parsed, ParsePolicy(document));
  return NamedPolicy{name, document, std::make_shared<const Policy>(std::move(parsed))};
}

// 40 characters of base64 from 30 random bytes: the shape of AWS secrets.
std::string RandomSecret() {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned char random[30];
  RAND_bytes(random, sizeof(random));
  std::string secret;
  for (int i = 0; i < 30; i += 3) {
    unsigned v = (random[i] << 16) | (random[i + 1] << 8) | random[i + 2];
    for (int k = 3; k >= 0; --k) secret.push_back(kB64[(v >> (6 * k)) & 63]);
  }
  return secret;
}

std::string OwnerMissing(bool role, const std::string& owner) {
  return std::string("The ") + (role ? "role" : "user") + " with name " + owner + " cannot be found.";
}

}  // namespace

void SetPrincipalKeys(const Principal& principal, const std::string& account, RequestContext* context) {
  context->Set("aws:username", principal.name);
  context->Set("aws:userid", principal.id);
  context->Set("aws:PrincipalArn", principal.arn);
  context->Set("aws:PrincipalAccount", account);
  context->Set("aws:PrincipalType", principal.kind == Principal::Kind::kRole ? "AssumedRole" : "User");
}

Status ValidateIamName(std::string_view field, std::string_view name, size_t max) {
  if (name.empty() || name.size() > max) {
    return Status::InvalidArgument(std::string(field) + " must be 1 to " + std::to_string(max) +
                                   " characters long; got " + std::to_string(name.size()));
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("+=,.@_-").find(c) == std::string_view::npos) {
      return Status::InvalidArgument(std::string(field) +
                                     " may hold only letters, digits and + = , . @ _ -; it has '" + std::string(1, c) +
                                     "'");
    }
  }
  return Status::OK();
}

IdentityStore::IdentityStore(table::TableClient* tables, IdentityStoreOptions options)
    : tables_(tables), options_(std::move(options)) {}

common::Result<std::unique_ptr<IdentityStore>> IdentityStore::Open(table::TableClient* tables,
                                                                   IdentityStoreOptions options) {
  table::CreateTableRequest create;
  create.table_name = kIamTable;
  create.key_schema = {{"id", table::KeyType::kHash}};
  create.attribute_definitions = {{"id", AttributeValue::Type::kS}};
  auto created = tables->CreateTable(create);
  if (!created.ok() && created.status().code() != Status::Code::kResourceInUse) {
    return created.status().WithContext("creating the IAM table");
  }
  std::unique_ptr<IdentityStore> store(new IdentityStore(tables, std::move(options)));
  ASSIGN_OR_RETURN(store->change_mark_, store->ReadChangeMark());  // before Load: a change during it is seen later
  RETURN_IF_ERROR(store->Load());
  return store;
}

// The change mark: an item no entity id can have, rewritten with a random
// value after every change, so other nodes' Refresh notices it.
namespace {
constexpr char kChangeMarkId[] = "~changed";
}

common::Result<std::string> IdentityStore::ReadChangeMark() const {
  table::GetItemRequest get;
  get.table_name = kIamTable;
  get.key = {{"id", AttributeValue::S(kChangeMarkId)}};
  get.consistent_read = true;
  ASSIGN_OR_RETURN(std::optional<table::Item> item, tables_->GetItem(get));
  if (!item) return std::string();
  auto it = item->find("mark");
  return it == item->end() ? std::string() : it->second.scalar();
}

Status IdentityStore::MarkChanged() {
  table::PutItemRequest put;
  put.table_name = kIamTable;
  put.item = {{"id", AttributeValue::S(kChangeMarkId)}, {"mark", AttributeValue::S(NewId("", 16))}};
  return tables_->PutItem(put).status();
}

common::Result<bool> IdentityStore::Refresh() {
  ASSIGN_OR_RETURN(std::string mark, ReadChangeMark());
  if (mark == change_mark_) return false;
  uint64_t before = generation();
  std::unique_ptr<IdentityStore> fresh(new IdentityStore(tables_, options_));
  RETURN_IF_ERROR(fresh->Load());
  std::unique_lock lock(mu_);
  // A change made here while we read may be missing from what we read: keep
  // memory (it has the change) and re-read at the next call (the change
  // moved the mark).
  if (generation() != before) return false;
  users_.swap(fresh->users_);
  roles_.swap(fresh->roles_);
  policies_.swap(fresh->policies_);
  keys_.swap(fresh->keys_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  change_mark_ = std::move(mark);
  return true;
}

Status IdentityStore::Load() {
  table::ScanRequest scan;
  scan.table_name = kIamTable;
  while (true) {
    ASSIGN_OR_RETURN(table::QueryResult page, tables_->Scan(scan));
    for (const table::Item& item : page.items) {
      auto id_it = item.find("id");
      auto doc_it = item.find("doc");
      if (id_it == item.end() || doc_it == item.end()) continue;
      const std::string& id = id_it->second.scalar();
      json doc = json::parse(doc_it->second.scalar(), nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) {
        return Status::Corruption("IAM table item '" + id + "' does not hold a JSON document");
      }
      if (id.rfind("key/", 0) == 0) {
        AccessKey key{doc.value("id", ""), doc.value("secret", ""), doc.value("user", ""),
                      doc.value("status", "Active"), doc.value("created", int64_t{0})};
        keys_[key.access_key_id] = key;
      } else if (id.rfind("policy/", 0) == 0) {
        ManagedPolicy p;
        p.name = doc.value("name", "");
        p.id = doc.value("id", "");
        p.arn = doc.value("arn", "");
        p.path = doc.value("path", "/");
        p.created_millis = doc.value("created", int64_t{0});
        ASSIGN_OR_RETURN(p.policy, MakeNamedPolicy(p.name, doc.value("document", "")));
        policies_[p.arn] = std::move(p);
      } else if (id.rfind("user/", 0) == 0 || id.rfind("role/", 0) == 0) {
        Identity i;
        i.name = doc.value("name", "");
        i.id = doc.value("id", "");
        i.arn = doc.value("arn", "");
        i.path = doc.value("path", "/");
        i.created_millis = doc.value("created", int64_t{0});
        i.assume_role_policy = doc.value("assume", "");
        if (doc.contains("inline") && doc["inline"].is_object()) {
          for (const auto& [name, text] : doc["inline"].items()) {
            if (!text.is_string()) continue;
            ASSIGN_OR_RETURN(i.inline_policies[name], MakeNamedPolicy(name, text.get<std::string>()));
          }
        }
        if (doc.contains("attached") && doc["attached"].is_array()) {
          for (const auto& arn : doc["attached"]) {
            if (arn.is_string()) i.attached.push_back(arn.get<std::string>());
          }
        }
        (id[0] == 'u' ? users_ : roles_)[i.name] = std::move(i);
      }
    }
    if (!page.last_evaluated_key) break;
    scan.exclusive_start_key = page.last_evaluated_key;
  }
  for (const auto* identities : {&users_, &roles_}) {
    for (const auto& [name, i] : *identities) {
      for (const std::string& arn : i.attached) {
        if (auto it = policies_.find(arn); it != policies_.end()) ++it->second.attachment_count;
      }
    }
  }
  return Status::OK();
}

// Save and Erase run under the unique lock before memory changes; a reader
// that saw the old generation re-reads under the shared lock, which waits
// for the writer, so it never keeps a stale copy past the next check.
Status IdentityStore::Save(const std::string& id, const std::string& doc) {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  table::PutItemRequest put;
  put.table_name = kIamTable;
  put.item = {{"id", AttributeValue::S(id)}, {"doc", AttributeValue::S(doc)}};
  RETURN_IF_ERROR(tables_->PutItem(put).status());
  return MarkChanged();
}

Status IdentityStore::Erase(const std::string& id) {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  table::DeleteItemRequest del;
  del.table_name = kIamTable;
  del.key = {{"id", AttributeValue::S(id)}};
  RETURN_IF_ERROR(tables_->DeleteItem(del).status());
  return MarkChanged();
}

Status IdentityStore::SaveIdentity(bool role, const Identity& identity) {
  return Save(std::string(role ? "role/" : "user/") + identity.name, IdentityJson(identity).dump());
}

std::string IdentityStore::NewId(std::string_view prefix, size_t length) const {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  unsigned char random[64];
  RAND_bytes(random, static_cast<int>(length));
  std::string id(prefix);
  for (size_t i = 0; i < length; ++i) id.push_back(kAlphabet[random[i] % 32]);
  return id;
}

std::string IdentityStore::Arn(std::string_view kind, const std::string& path, const std::string& name) const {
  return "arn:aws:iam::" + options_.account_id + ":" + std::string(kind) + path + name;
}

Principal IdentityStore::Root() const {
  return {Principal::Kind::kRoot, "root", options_.account_id, "arn:aws:iam::" + options_.account_id + ":root"};
}

common::Result<AccessKey> IdentityStore::EnsureRootKey(const std::string& access_key_id, const std::string& secret,
                                                       bool* created) {
  *created = false;
  std::unique_lock lock(mu_);
  std::optional<AccessKey> stored;
  for (const auto& [id, key] : keys_) {
    if (key.user_name.empty()) stored = key;
  }
  if (!access_key_id.empty() && !secret.empty()) {
    if (stored && stored->access_key_id == access_key_id && stored->secret == secret) return *stored;
    if (stored) {
      RETURN_IF_ERROR(Erase("key/" + stored->access_key_id));
      keys_.erase(stored->access_key_id);
    }
    if (keys_.count(access_key_id) != 0) {
      return Status::InvalidArgument("the root access key id " + access_key_id + " already belongs to a user");
    }
    AccessKey key{access_key_id, secret, "", "Active", options_.clock->NowMillis()};
    json doc = {{"id", key.access_key_id}, {"secret", key.secret}, {"user", ""}, {"status", key.status},
                {"created", key.created_millis}};
    RETURN_IF_ERROR(Save("key/" + key.access_key_id, doc.dump()));
    keys_[key.access_key_id] = key;
    return key;
  }
  if (stored) return *stored;
  lock.unlock();
  std::string new_secret = RandomSecret();
  std::string new_id = NewId("AKIA", 16);
  auto key = EnsureRootKey(new_id, new_secret, created);
  *created = key.ok();
  return key;
}

std::optional<IdentityStore::KeyOwner> IdentityStore::FindKey(std::string_view access_key_id) const {
  std::shared_lock lock(mu_);
  auto it = keys_.find(access_key_id);
  if (it == keys_.end() || it->second.status != "Active") return std::nullopt;
  if (it->second.user_name.empty()) return KeyOwner{it->second.secret, Root()};
  auto user = users_.find(it->second.user_name);
  if (user == users_.end()) return std::nullopt;
  return KeyOwner{it->second.secret, {Principal::Kind::kUser, user->second.name, user->second.id, user->second.arn}};
}

std::vector<std::shared_ptr<const Policy>> IdentityStore::PoliciesOf(const Principal& principal) const {
  std::vector<std::shared_ptr<const Policy>> out;
  if (principal.kind == Principal::Kind::kRoot) return out;
  std::shared_lock lock(mu_);
  const auto& identities = Identities(principal.kind == Principal::Kind::kRole);
  auto it = identities.find(principal.name);
  if (it == identities.end()) return out;
  for (const auto& [name, p] : it->second.inline_policies) out.push_back(p.parsed);
  for (const std::string& arn : it->second.attached) {
    if (auto p = policies_.find(arn); p != policies_.end()) out.push_back(p->second.policy.parsed);
  }
  return out;
}

std::vector<IdentityStore::PolicySource> IdentityStore::PolicySourcesOf(const Principal& principal) const {
  std::vector<PolicySource> out;
  if (principal.kind == Principal::Kind::kRoot) return out;
  std::shared_lock lock(mu_);
  const auto& identities = Identities(principal.kind == Principal::Kind::kRole);
  auto it = identities.find(principal.name);
  if (it == identities.end()) return out;
  for (const auto& [name, p] : it->second.inline_policies) out.push_back({name, "", p.document, p.parsed});
  for (const std::string& arn : it->second.attached) {
    if (auto p = policies_.find(arn); p != policies_.end()) {
      out.push_back({p->second.name, arn, p->second.policy.document, p->second.policy.parsed});
    }
  }
  return out;
}

common::Result<Principal> IdentityStore::FindPrincipal(std::string_view arn) const {
  Principal root = Root();
  if (arn == root.arn) return root;
  std::shared_lock lock(mu_);
  for (bool role : {false, true}) {
    for (const auto& [name, i] : Identities(role)) {
      if (i.arn == arn) return Principal{role ? Principal::Kind::kRole : Principal::Kind::kUser, i.name, i.id, i.arn};
    }
  }
  return Status::NotFound("no user or role has the ARN " + std::string(arn));
}

common::Result<Identity> IdentityStore::CreateUser(const std::string& name, const std::string& path) {
  RETURN_IF_ERROR(ValidateIamName("UserName", name, 64));
  if (path.empty() || path.front() != '/' || path.back() != '/' || path.size() > 512) {
    return Status::InvalidArgument("Path must start and end with '/' and be at most 512 characters; got '" + path +
                                   "'");
  }
  std::unique_lock lock(mu_);
  if (users_.count(name) != 0) return Status::AlreadyExists("User with name " + name + " already exists.");
  Identity user;
  user.name = name;
  user.id = NewId("AIDA", 17);
  user.path = path;
  user.arn = Arn("user", path, name);
  user.created_millis = options_.clock->NowMillis();
  RETURN_IF_ERROR(SaveIdentity(false, user));
  users_[name] = user;
  return user;
}

common::Result<Identity> IdentityStore::GetUser(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = users_.find(name);
  if (it == users_.end()) return Status::NotFound(OwnerMissing(false, name));
  return it->second;
}

Status IdentityStore::DeleteUser(const std::string& name) {
  std::unique_lock lock(mu_);
  auto it = users_.find(name);
  if (it == users_.end()) return Status::NotFound(OwnerMissing(false, name));
  for (const auto& [id, key] : keys_) {
    if (key.user_name == name) {
      return Status::ResourceInUse("Cannot delete entity, must delete access keys first.");
    }
  }
  if (!it->second.inline_policies.empty()) {
    return Status::ResourceInUse("Cannot delete entity, must delete policies first.");
  }
  if (!it->second.attached.empty()) {
    return Status::ResourceInUse("Cannot delete entity, must detach all policies first.");
  }
  RETURN_IF_ERROR(Erase("user/" + name));
  users_.erase(it);
  return Status::OK();
}

std::vector<Identity> IdentityStore::ListUsers() const {
  std::shared_lock lock(mu_);
  std::vector<Identity> out;
  for (const auto& [name, user] : users_) out.push_back(user);
  return out;
}

common::Result<AccessKey> IdentityStore::CreateAccessKey(const std::string& user_name) {
  std::unique_lock lock(mu_);
  if (users_.count(user_name) == 0) return Status::NotFound(OwnerMissing(false, user_name));
  int count = 0;
  for (const auto& [id, key] : keys_) count += key.user_name == user_name;
  if (count >= 2) {
    return Status::LimitExceeded("Cannot exceed quota for AccessKeysPerUser: 2");
  }
  AccessKey key;
  key.secret = RandomSecret();
  key.access_key_id = NewId("AKIA", 16);
  key.user_name = user_name;
  key.created_millis = options_.clock->NowMillis();
  json doc = {{"id", key.access_key_id}, {"secret", key.secret}, {"user", user_name}, {"status", key.status},
              {"created", key.created_millis}};
  RETURN_IF_ERROR(Save("key/" + key.access_key_id, doc.dump()));
  keys_[key.access_key_id] = key;
  return key;
}

Status IdentityStore::DeleteAccessKey(const std::string& user_name, const std::string& access_key_id) {
  std::unique_lock lock(mu_);
  auto it = keys_.find(access_key_id);
  if (it == keys_.end() || it->second.user_name != user_name || user_name.empty()) {
    return Status::NotFound("The Access Key with id " + access_key_id + " cannot be found.");
  }
  RETURN_IF_ERROR(Erase("key/" + access_key_id));
  keys_.erase(it);
  return Status::OK();
}

common::Result<std::vector<AccessKey>> IdentityStore::ListAccessKeys(const std::string& user_name) const {
  std::shared_lock lock(mu_);
  if (users_.count(user_name) == 0) return Status::NotFound(OwnerMissing(false, user_name));
  std::vector<AccessKey> out;
  for (const auto& [id, key] : keys_) {
    if (key.user_name == user_name) out.push_back(key);
  }
  return out;
}

common::Result<Identity> IdentityStore::CreateRole(const std::string& name, const std::string& path,
                                                   const std::string& assume_role_policy) {
  RETURN_IF_ERROR(ValidateIamName("RoleName", name, 64));
  if (path.empty() || path.front() != '/' || path.back() != '/') {
    return Status::InvalidArgument("Path must start and end with '/'; got '" + path + "'");
  }
  if (assume_role_policy.empty() || assume_role_policy.size() > kMaxPolicyBytes) {
    return Status::InvalidArgument("AssumeRolePolicyDocument must be 1 to " + std::to_string(kMaxPolicyBytes) +
                                   " characters");
  }
  std::unique_lock lock(mu_);
  if (roles_.count(name) != 0) return Status::AlreadyExists("Role with name " + name + " already exists.");
  Identity role;
  role.name = name;
  role.id = NewId("AROA", 17);
  role.path = path;
  role.arn = Arn("role", path, name);
  role.created_millis = options_.clock->NowMillis();
  role.assume_role_policy = assume_role_policy;
  RETURN_IF_ERROR(SaveIdentity(true, role));
  roles_[name] = role;
  return role;
}

common::Result<Identity> IdentityStore::GetRole(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = roles_.find(name);
  if (it == roles_.end()) return Status::NotFound(OwnerMissing(true, name));
  return it->second;
}

Status IdentityStore::PutInlinePolicy(bool role, const std::string& owner, const std::string& policy_name,
                                      const std::string& document) {
  RETURN_IF_ERROR(ValidateIamName("PolicyName", policy_name, 128));
  ASSIGN_OR_RETURN(NamedPolicy policy, MakeNamedPolicy(policy_name, document));
  std::unique_lock lock(mu_);
  auto& identities = Identities(role);
  auto it = identities.find(owner);
  if (it == identities.end()) {
    return Status::NotFound(OwnerMissing(role, owner));
  }
  Identity updated = it->second;
  updated.inline_policies[policy_name] = std::move(policy);
  RETURN_IF_ERROR(SaveIdentity(role, updated));
  it->second = std::move(updated);
  return Status::OK();
}

common::Result<std::string> IdentityStore::GetInlinePolicy(bool role, const std::string& owner,
                                                           const std::string& policy_name) const {
  std::shared_lock lock(mu_);
  const auto& identities = Identities(role);
  auto it = identities.find(owner);
  if (it == identities.end()) {
    return Status::NotFound(OwnerMissing(role, owner));
  }
  auto p = it->second.inline_policies.find(policy_name);
  if (p == it->second.inline_policies.end()) {
    return Status::NotFound("The " + std::string(role ? "role" : "user") + " policy with name " + policy_name +
                            " cannot be found.");
  }
  return p->second.document;
}

Status IdentityStore::DeleteInlinePolicy(bool role, const std::string& owner, const std::string& policy_name) {
  std::unique_lock lock(mu_);
  auto& identities = Identities(role);
  auto it = identities.find(owner);
  if (it == identities.end() || it->second.inline_policies.count(policy_name) == 0) {
    return Status::NotFound("The " + std::string(role ? "role" : "user") + " policy with name " + policy_name +
                            " cannot be found.");
  }
  Identity updated = it->second;
  updated.inline_policies.erase(policy_name);
  RETURN_IF_ERROR(SaveIdentity(role, updated));
  it->second = std::move(updated);
  return Status::OK();
}

common::Result<ManagedPolicy> IdentityStore::CreatePolicy(const std::string& name, const std::string& path,
                                                          const std::string& document) {
  RETURN_IF_ERROR(ValidateIamName("PolicyName", name, 128));
  ASSIGN_OR_RETURN(NamedPolicy policy, MakeNamedPolicy(name, document));
  std::unique_lock lock(mu_);
  ManagedPolicy managed;
  managed.name = name;
  managed.path = path.empty() ? "/" : path;
  managed.arn = Arn("policy", managed.path, name);
  if (policies_.count(managed.arn) != 0) {
    return Status::AlreadyExists("A policy called " + name + " already exists. Duplicate names are not allowed.");
  }
  managed.id = NewId("ANPA", 17);
  managed.created_millis = options_.clock->NowMillis();
  managed.policy = std::move(policy);
  json doc = {{"name", name}, {"id", managed.id}, {"arn", managed.arn}, {"path", managed.path},
              {"created", managed.created_millis}, {"document", document}};
  RETURN_IF_ERROR(Save("policy/" + managed.arn, doc.dump()));
  policies_[managed.arn] = managed;
  return managed;
}

Status IdentityStore::AttachPolicy(bool role, const std::string& owner, const std::string& policy_arn) {
  std::unique_lock lock(mu_);
  auto policy = policies_.find(policy_arn);
  if (policy == policies_.end()) return Status::NotFound("Policy " + policy_arn + " does not exist or is not attachable.");
  auto& identities = Identities(role);
  auto it = identities.find(owner);
  if (it == identities.end()) {
    return Status::NotFound(OwnerMissing(role, owner));
  }
  for (const std::string& arn : it->second.attached) {
    if (arn == policy_arn) return Status::OK();  // attaching twice is a no-op, as in AWS
  }
  Identity updated = it->second;
  updated.attached.push_back(policy_arn);
  RETURN_IF_ERROR(SaveIdentity(role, updated));
  it->second = std::move(updated);
  ++policy->second.attachment_count;
  return Status::OK();
}

Status IdentityStore::DetachPolicy(bool role, const std::string& owner, const std::string& policy_arn) {
  std::unique_lock lock(mu_);
  auto& identities = Identities(role);
  auto it = identities.find(owner);
  if (it == identities.end()) return Status::NotFound(OwnerMissing(role, owner));
  auto attached = std::find(it->second.attached.begin(), it->second.attached.end(), policy_arn);
  if (attached == it->second.attached.end()) return Status::NotFound("Policy " + policy_arn + " was not found.");
  Identity updated = it->second;
  updated.attached.erase(updated.attached.begin() + (attached - it->second.attached.begin()));
  RETURN_IF_ERROR(SaveIdentity(role, updated));
  it->second = std::move(updated);
  if (auto policy = policies_.find(policy_arn); policy != policies_.end()) --policy->second.attachment_count;
  return Status::OK();
}

Status IdentityStore::DeleteRole(const std::string& name) {
  std::unique_lock lock(mu_);
  auto it = roles_.find(name);
  if (it == roles_.end()) return Status::NotFound(OwnerMissing(true, name));
  if (!it->second.inline_policies.empty()) {
    return Status::ResourceInUse("Cannot delete entity, must delete policies first.");
  }
  if (!it->second.attached.empty()) {
    return Status::ResourceInUse("Cannot delete entity, must detach all policies first.");
  }
  RETURN_IF_ERROR(Erase("role/" + name));
  roles_.erase(it);
  return Status::OK();
}

std::vector<Identity> IdentityStore::ListRoles() const {
  std::shared_lock lock(mu_);
  std::vector<Identity> out;
  for (const auto& [name, role] : roles_) out.push_back(role);
  return out;
}

common::Result<std::vector<std::string>> IdentityStore::ListInlinePolicies(bool role, const std::string& owner) const {
  std::shared_lock lock(mu_);
  const auto& identities = Identities(role);
  auto it = identities.find(owner);
  if (it == identities.end()) return Status::NotFound(OwnerMissing(role, owner));
  std::vector<std::string> out;
  for (const auto& [name, policy] : it->second.inline_policies) out.push_back(name);
  return out;
}

common::Result<std::vector<ManagedPolicy>> IdentityStore::ListAttachedPolicies(bool role,
                                                                              const std::string& owner) const {
  std::shared_lock lock(mu_);
  const auto& identities = Identities(role);
  auto it = identities.find(owner);
  if (it == identities.end()) return Status::NotFound(OwnerMissing(role, owner));
  std::vector<ManagedPolicy> out;
  for (const std::string& arn : it->second.attached) {
    if (auto p = policies_.find(arn); p != policies_.end()) out.push_back(p->second);
  }
  return out;
}

std::vector<ManagedPolicy> IdentityStore::ListPolicies() const {
  std::shared_lock lock(mu_);
  std::vector<ManagedPolicy> out;
  for (const auto& [arn, policy] : policies_) out.push_back(policy);
  return out;
}

common::Result<ManagedPolicy> IdentityStore::GetPolicy(const std::string& policy_arn) const {
  std::shared_lock lock(mu_);
  auto it = policies_.find(policy_arn);
  if (it == policies_.end()) return Status::NotFound("Policy " + policy_arn + " was not found.");
  return it->second;
}

Status IdentityStore::DeletePolicy(const std::string& policy_arn) {
  std::unique_lock lock(mu_);
  auto it = policies_.find(policy_arn);
  if (it == policies_.end()) return Status::NotFound("Policy " + policy_arn + " was not found.");
  if (it->second.attachment_count > 0) {
    return Status::ResourceInUse("Cannot delete a policy attached to entities.");
  }
  RETURN_IF_ERROR(Erase("policy/" + policy_arn));
  policies_.erase(it);
  return Status::OK();
}

}  // namespace iam
