#include "objects/listing.h"

#include <algorithm>

#include "objects/digest.h"

namespace objects {
namespace {

// A continuation token is base64 of "K<key>" (resume after that key) or
// "P<common prefix>" (resume after every key under that prefix). It is
// opaque to clients, as in S3.
std::string MakeToken(char kind, const std::string& value) {
  return Base64Encode(std::string(1, kind) + value);
}

}  // namespace

std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

common::Result<ListObjectsResult> ListIndex(const std::map<std::string, StoredObject>& index,
                                            const ListObjectsRequest& req) {
  ListObjectsResult out;
  int max_keys = std::clamp(req.max_keys, 0, kMaxListKeys);

  // Where to start: the latest of prefix, start-after and the token.
  auto it = index.lower_bound(req.prefix);
  auto advance_to = [&](decltype(it) candidate) {
    if (candidate != index.end() && (it == index.end() || candidate->first <= it->first)) return;
    it = candidate;
  };
  if (!req.start_after.empty()) advance_to(index.upper_bound(req.start_after));
  if (!req.continuation_token.empty()) {
    auto raw = Base64Decode(req.continuation_token);
    if (!raw || raw->empty() || ((*raw)[0] != 'K' && (*raw)[0] != 'P')) {
      return common::Status::InvalidArgument("InvalidArgument: the continuation token is not one this server issued");
    }
    std::string value = raw->substr(1);
    if ((*raw)[0] == 'K') {
      advance_to(index.upper_bound(value));
    } else {
      std::string next = PrefixSuccessor(value);
      advance_to(next.empty() ? index.end() : index.lower_bound(next));
    }
  }
  if (max_keys == 0) return out;

  int count = 0;
  char last_kind = 0;
  std::string last_value;
  while (it != index.end() && it->first.compare(0, req.prefix.size(), req.prefix) == 0) {
    if (count == max_keys) {
      out.is_truncated = true;
      out.next_continuation_token = MakeToken(last_kind, last_value);
      break;
    }
    const std::string& key = it->first;
    size_t pos = req.delimiter.empty() ? std::string::npos : key.find(req.delimiter, req.prefix.size());
    if (pos != std::string::npos) {
      std::string common = key.substr(0, pos + req.delimiter.size());
      std::string next = PrefixSuccessor(common);
      out.common_prefixes.push_back(common);
      last_kind = 'P';
      last_value = std::move(common);
      it = next.empty() ? index.end() : index.lower_bound(next);
    } else {
      out.objects.push_back(it->second.info);
      last_kind = 'K';
      last_value = key;
      ++it;
    }
    ++count;
  }
  return out;
}

}  // namespace objects
