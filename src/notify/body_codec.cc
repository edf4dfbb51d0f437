#include "notify/body_codec.h"

#include "common/coding.h"
#include "common/sha256.h"

namespace notify {

using common::Status;
using table::AttributeValue;
using table::Item;

namespace {

constexpr int kLevel = 1;  // zstd's fastest regular level: emails are written once, read once
constexpr const char* kDictionaryPrefix = "zstd-dictionary#";

std::string Frame(const Email& email) {
  std::string framed;
  common::PutBigEndian64(&framed, email.text_body.size());
  framed += email.text_body;
  framed += email.html_body;
  return framed;
}

Status Unframe(const std::string& framed, Email* email) {
  uint64_t text_size = framed.size() >= 8 ? common::DecodeBigEndian64(framed.data()) : UINT64_MAX;
  if (text_size > framed.size() - 8) return Status::Corruption("outbox bodies are malformed");
  email->text_body = framed.substr(8, text_size);
  email->html_body = framed.substr(8 + text_size);
  return Status::OK();
}

// 16 hex digits of the content's SHA-256: the same sample gives the same
// item in every process.
std::string HashOf(const std::string& content) { return common::Sha256Hex(content).substr(0, 16); }

const std::string* FindS(const Item& item, const char* name, AttributeValue::Type type = AttributeValue::Type::kS) {
  auto it = item.find(name);
  return it != item.end() && it->second.type() == type ? &it->second.scalar() : nullptr;
}

}  // namespace

Status BodyCodec::UseDictionary(const std::string& sample) {
  // Framed like the bodies it stands for: the content never starts with
  // zstd's dictionary magic number (ZstdDictionary reads it as raw content).
  Email as_email;
  as_email.html_body = sample;
  std::string content = Frame(as_email);
  std::string hash = HashOf(content);
  ASSIGN_OR_RETURN(std::optional<Item> stored, Stored(hash));
  if (!stored) {
    // Durable before any entry names it (PutItem syncs).
    table::PutItemRequest put;
    put.table_name = table_name_;
    put.item = {{"id", AttributeValue::S(kDictionaryPrefix + hash)}, {"content", AttributeValue::B(content)}};
    RETURN_IF_ERROR(tables_->PutItem(put).status().WithContext("storing the outbox's zstd dictionary"));
  }
  auto dictionary = std::make_shared<const common::ZstdDictionary>(std::move(content), kLevel);
  std::lock_guard lock(mu_);
  known_[hash] = dictionary;
  packing_hash_ = hash;
  packing_ = std::move(dictionary);
  return Status::OK();
}

Status BodyCodec::Pack(const Email& email, Item* item) const {
  std::string hash;
  Dictionary dictionary;
  {
    std::lock_guard lock(mu_);
    hash = packing_hash_;
    dictionary = packing_;
  }
  std::string framed = Frame(email);
  ASSIGN_OR_RETURN(std::string packed, dictionary ? dictionary->Compress(framed) : common::ZstdCompress(framed, kLevel));
  (*item)["bodies_zstd"] = AttributeValue::B(std::move(packed));
  if (dictionary) (*item)["bodies_dictionary"] = AttributeValue::S(hash);
  return Status::OK();
}

Status BodyCodec::Unpack(const Item& item, Email* email) const {
  const std::string* packed = FindS(item, "bodies_zstd", AttributeValue::Type::kB);
  if (packed == nullptr) {
    const std::string* text = FindS(item, "text_body");
    const std::string* html = FindS(item, "html_body");
    email->text_body = text ? *text : "";
    email->html_body = html ? *html : "";
    return Status::OK();
  }
  std::string framed;
  if (const std::string* hash = FindS(item, "bodies_dictionary")) {
    ASSIGN_OR_RETURN(Dictionary dictionary, Find(*hash));
    ASSIGN_OR_RETURN(framed, dictionary->Decompress(*packed));
  } else {
    ASSIGN_OR_RETURN(framed, common::ZstdDecompress(*packed));
  }
  return Unframe(framed, email);
}

common::Result<BodyCodec::Dictionary> BodyCodec::Find(const std::string& hash) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = known_.find(hash); it != known_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::optional<Item> stored, Stored(hash));
  const std::string* content = stored ? FindS(*stored, "content", AttributeValue::Type::kB) : nullptr;
  if (content == nullptr) return Status::Corruption("the outbox's zstd dictionary " + hash + " is missing");
  auto dictionary = std::make_shared<const common::ZstdDictionary>(*content, kLevel);
  std::lock_guard lock(mu_);
  return known_.emplace(hash, std::move(dictionary)).first->second;
}

common::Result<std::optional<Item>> BodyCodec::Stored(const std::string& hash) const {
  table::GetItemRequest get;
  get.table_name = table_name_;
  get.key = {{"id", AttributeValue::S(kDictionaryPrefix + hash)}};
  get.consistent_read = true;
  return tables_->GetItem(get);
}

}  // namespace notify
