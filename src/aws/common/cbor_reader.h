// Reads an AWS CBOR request (application/x-amz-cbor-1.1) with JsonReader's
// verbs, constraint checks and error wording, so the Kinesis request parser
// runs unchanged over CBOR (requests.cc is a template over the reader).
// CBOR's own types: blobs are byte strings, timestamps tag 1 (or untagged)
// integers in epoch milliseconds as the AWS SDK for Java sends them, or
// floats in epoch seconds (smithy rpcv2-cbor).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/common/cbor.h"
#include "aws/common/json_reader.h"

namespace aws {

// A CBOR map viewed as a structure: lookup by member name, iteration as
// (name, value) pairs.
class CborObject {
 public:
  explicit CborObject(const cbor::Value* map = nullptr) : map_(map) {}
  const cbor::Value* Find(std::string_view key) const { return map_ ? map_->Find(key) : nullptr; }

  class iterator {
   public:
    explicit iterator(const cbor::Value* at) : at_(at) {}
    std::pair<std::string_view, const cbor::Value*> operator*() const { return {at_->text, at_ + 1}; }
    iterator& operator++() { at_ += 2; return *this; }
    bool operator!=(const iterator& o) const { return at_ != o.at_; }

   private:
    const cbor::Value* at_;
  };
  iterator begin() const { return iterator(map_->items.data()); }
  iterator end() const { return iterator(map_->items.data() + map_->items.size()); }

 private:
  const cbor::Value* map_;
};

// A CBOR array; iteration yields element pointers.
class CborList {
 public:
  explicit CborList(const cbor::Value* array) : array_(array) {}
  size_t size() const { return array_->items.size(); }
  class iterator {
   public:
    explicit iterator(const cbor::Value* at) : at_(at) {}
    const cbor::Value* operator*() const { return at_; }
    iterator& operator++() { ++at_; return *this; }
    bool operator!=(const iterator& o) const { return at_ != o.at_; }

   private:
    const cbor::Value* at_;
  };
  iterator begin() const { return iterator(array_->items.data()); }
  iterator end() const { return iterator(array_->items.data() + array_->items.size()); }

 private:
  const cbor::Value* array_;
};

class CborReader : public JsonReader {
 public:
  using Object = CborObject;

  std::optional<std::string_view> String(CborObject object, std::string_view key);
  std::optional<int64_t> Integer(CborObject object, std::string_view key);
  std::optional<int64_t> Long(CborObject object, std::string_view key);
  std::optional<bool> Boolean(CborObject object, std::string_view key);
  std::optional<int64_t> TimestampMillis(CborObject object, std::string_view key);
  std::optional<std::string> Blob(CborObject object, std::string_view key);
  std::optional<CborList> List(CborObject object, std::string_view key);
  std::optional<CborObject> Structure(CborObject object, std::string_view key);
  std::optional<CborObject> Map(CborObject object, std::string_view key);
  std::optional<CborObject> AsStructure(const cbor::Value* value);
  std::optional<std::string_view> AsString(const cbor::Value* value);

 private:
  const cbor::Value* Member(CborObject object, std::string_view key);
  void Mismatch(const cbor::Value& value, std::string_view target);
};

}  // namespace aws
