#include "table/attribute_value.h"

#include <algorithm>

#include "common/coding.h"

namespace table {

AttributeValue AttributeValue::Set(Type t, std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  AttributeValue a;
  a.type_ = t;
  a.set_ = std::move(v);
  return a;
}

size_t AttributeValue::ByteSize() const {
  switch (type_) {
    case Type::kNull:
    case Type::kBool:
      return 1;
    case Type::kS:
    case Type::kB:
      return scalar_.size();
    case Type::kN:
      return scalar_.size() / 2 + 1;
    case Type::kSS:
    case Type::kBS:
    case Type::kNS: {
      size_t n = 0;
      for (const auto& s : set_) n += type_ == Type::kNS ? s.size() / 2 + 1 : s.size();
      return n;
    }
    case Type::kL: {
      size_t n = 3;
      for (const auto& v : l_) n += v.ByteSize() + 1;
      return n;
    }
    case Type::kM: {
      size_t n = 3;
      for (const auto& [k, v] : m_) n += k.size() + v.ByteSize() + 1;
      return n;
    }
  }
  return 0;
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case AttributeValue::Type::kNull: return true;
    case AttributeValue::Type::kBool: return a.bool_ == b.bool_;
    case AttributeValue::Type::kS:
    case AttributeValue::Type::kN:
    case AttributeValue::Type::kB: return a.scalar_ == b.scalar_;
    case AttributeValue::Type::kM: return a.m_ == b.m_;
    case AttributeValue::Type::kL: return a.l_ == b.l_;
    default: return a.set_ == b.set_;
  }
}

std::string_view TypeName(AttributeValue::Type type) {
  static constexpr std::string_view kNames[] = {"NULL", "S", "N", "B", "BOOL", "M", "L", "SS", "NS", "BS"};
  return kNames[static_cast<int>(type)];
}

bool ParseTypeName(std::string_view name, AttributeValue::Type* type) {
  for (int i = 0; i <= 9; ++i) {
    if (TypeName(static_cast<AttributeValue::Type>(i)) == name) {
      *type = static_cast<AttributeValue::Type>(i);
      return true;
    }
  }
  return false;
}

size_t ItemSize(const Item& item) {
  size_t n = 0;
  for (const auto& [k, v] : item) n += k.size() + v.ByteSize();
  return n;
}

// Item encoding: varint count, then per attribute varint name length, name,
// value. Value: type tag byte, then by type: BOOL one byte; S/N/B varint length
// + bytes; sets varint count + (varint length + bytes)*; L varint count +
// values; M like an item. NULL has nothing after the tag.
namespace {

void PutString(std::string* out, std::string_view s) {
  common::PutVarint64(out, s.size());
  out->append(s);
}

void EncodeValue(const AttributeValue& v, std::string* out) {
  using T = AttributeValue::Type;
  out->push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case T::kNull: break;
    case T::kBool: out->push_back(v.boolean() ? 1 : 0); break;
    case T::kS: case T::kN: case T::kB: PutString(out, v.scalar()); break;
    case T::kSS: case T::kNS: case T::kBS:
      common::PutVarint64(out, v.set().size());
      for (const auto& s : v.set()) PutString(out, s);
      break;
    case T::kL:
      common::PutVarint64(out, v.list().size());
      for (const auto& e : v.list()) EncodeValue(e, out);
      break;
    case T::kM: EncodeItem(v.map(), out); break;
  }
}

bool GetString(std::string_view* in, std::string* s) {
  uint64_t n;
  if (!common::GetVarint64(in, &n) || n > in->size()) return false;
  s->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

bool DecodeItemInto(std::string_view* in, Item* item, int depth);

bool DecodeValue(std::string_view* in, AttributeValue* v, int depth) {
  using T = AttributeValue::Type;
  if (in->empty() || depth > 64) return false;
  auto tag = static_cast<unsigned char>(in->front());
  in->remove_prefix(1);
  if (tag > 9) return false;
  switch (static_cast<T>(tag)) {
    case T::kNull: *v = AttributeValue::Null(); return true;
    case T::kBool:
      if (in->empty()) return false;
      *v = AttributeValue::Bool(in->front() != 0);
      in->remove_prefix(1);
      return true;
    case T::kS: case T::kN: case T::kB: {
      std::string s;
      if (!GetString(in, &s)) return false;
      *v = tag == 1 ? AttributeValue::S(std::move(s)) : tag == 2 ? AttributeValue::N(std::move(s)) : AttributeValue::B(std::move(s));
      return true;
    }
    case T::kSS: case T::kNS: case T::kBS: {
      uint64_t n;
      if (!common::GetVarint64(in, &n) || n > in->size()) return false;
      std::vector<std::string> members(n);
      for (auto& m : members) if (!GetString(in, &m)) return false;
      *v = tag == 7 ? AttributeValue::SS(std::move(members)) : tag == 8 ? AttributeValue::NS(std::move(members)) : AttributeValue::BS(std::move(members));
      return true;
    }
    case T::kL: {
      uint64_t n;
      if (!common::GetVarint64(in, &n) || n > in->size()) return false;
      std::vector<AttributeValue> list(n);
      for (auto& e : list) if (!DecodeValue(in, &e, depth + 1)) return false;
      *v = AttributeValue::L(std::move(list));
      return true;
    }
    case T::kM: {
      Item m;
      if (!DecodeItemInto(in, &m, depth + 1)) return false;
      *v = AttributeValue::M(std::move(m));
      return true;
    }
  }
  return false;
}

bool DecodeItemInto(std::string_view* in, Item* item, int depth) {
  uint64_t n;
  if (!common::GetVarint64(in, &n) || n > in->size()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    AttributeValue v;
    if (!GetString(in, &name) || !DecodeValue(in, &v, depth)) return false;
    item->emplace(std::move(name), std::move(v));
  }
  return true;
}

}  // namespace

void EncodeItem(const Item& item, std::string* out) {
  common::PutVarint64(out, item.size());
  for (const auto& [k, v] : item) {
    PutString(out, k);
    EncodeValue(v, out);
  }
}

Result<Item> DecodeItem(std::string_view bytes) {
  Item item;
  if (!DecodeItemInto(&bytes, &item, 0) || !bytes.empty()) {
    return Status::Corruption("stored item does not decode");
  }
  return item;
}

}  // namespace table
