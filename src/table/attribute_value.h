// AttributeValue: DynamoDB's data model (S, N, B, BOOL, NULL, M, L, SS, NS, BS)
// as a plain value type, plus the binary form items are stored in.
//
// Numbers are kept as canonical decimal strings (see number.h): every N that
// enters the engine is validated and normalised, so equal numbers have equal
// text and compare equal byte for byte.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace table {

using common::Result;
using common::Status;

class AttributeValue;
// An item, or a key: attribute name -> value. Ordered so serialisation and
// equality are deterministic.
using Item = std::map<std::string, AttributeValue>;

class AttributeValue {
 public:
  // Append only: values are on disk (item encoding tags).
  enum class Type : unsigned char {
    kNull = 0, kS = 1, kN = 2, kB = 3, kBool = 4, kM = 5, kL = 6, kSS = 7, kNS = 8, kBS = 9,
  };

  AttributeValue() = default;  // NULL
  static AttributeValue S(std::string s) { return Scalar(Type::kS, std::move(s)); }
  // REQUIRES: `n` is canonical (number::Canonicalize); the engine validates input.
  static AttributeValue N(std::string n) { return Scalar(Type::kN, std::move(n)); }
  static AttributeValue B(std::string b) { return Scalar(Type::kB, std::move(b)); }
  static AttributeValue Bool(bool v) { AttributeValue a; a.type_ = Type::kBool; a.bool_ = v; return a; }
  static AttributeValue Null() { return AttributeValue(); }
  static AttributeValue M(Item m) { AttributeValue a; a.type_ = Type::kM; a.m_ = std::move(m); return a; }
  static AttributeValue L(std::vector<AttributeValue> l) { AttributeValue a; a.type_ = Type::kL; a.l_ = std::move(l); return a; }
  static AttributeValue SS(std::vector<std::string> v) { return Set(Type::kSS, std::move(v)); }
  static AttributeValue NS(std::vector<std::string> v) { return Set(Type::kNS, std::move(v)); }
  static AttributeValue BS(std::vector<std::string> v) { return Set(Type::kBS, std::move(v)); }

  Type type() const { return type_; }
  bool is_set() const { return type_ == Type::kSS || type_ == Type::kNS || type_ == Type::kBS; }
  // S, N (canonical text) or B (raw bytes).
  const std::string& scalar() const { return scalar_; }
  bool boolean() const { return bool_; }
  const Item& map() const { return m_; }
  Item& mutable_map() { return m_; }
  const std::vector<AttributeValue>& list() const { return l_; }
  std::vector<AttributeValue>& mutable_list() { return l_; }
  // Members of SS/NS/BS, kept sorted and unique (by text; NS by canonical text).
  const std::vector<std::string>& set() const { return set_; }

  // DynamoDB's size of the value in bytes (item size limit, size()).
  size_t ByteSize() const;

  friend bool operator==(const AttributeValue& a, const AttributeValue& b);

 private:
  static AttributeValue Scalar(Type t, std::string s) { AttributeValue a; a.type_ = t; a.scalar_ = std::move(s); return a; }
  static AttributeValue Set(Type t, std::vector<std::string> v);

  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string scalar_;
  Item m_;
  std::vector<AttributeValue> l_;
  std::vector<std::string> set_;
};

// "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view TypeName(AttributeValue::Type type);
// Inverse of TypeName; false when `name` is not a type.
bool ParseTypeName(std::string_view name, AttributeValue::Type* type);

// Size of an item: names plus values, as DynamoDB counts it for the 400 KB limit.
size_t ItemSize(const Item& item);
constexpr size_t kMaxItemBytes = 400 * 1024;

// Binary item form stored in RocksDB values. Decode returns Corruption on bad bytes.
void EncodeItem(const Item& item, std::string* out);
Result<Item> DecodeItem(std::string_view bytes);

}  // namespace table
