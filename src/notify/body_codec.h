// BodyCodec: how the outbox stores an email's text and HTML bodies.
//
// Both go in one zstd frame (attribute `bodies_zstd`, B): big-endian 64-bit
// text size + text + html. With a dictionary set (UseDictionary: a sample
// of the emails, e.g. every template rendered without data) the frame is
// compressed against it: emails in one layout share most of their bytes
// with the sample, so an order confirmation of 6.6 KB (text and HTML) is
// stored in ~720 bytes instead of ~1.7 KB alone (outbox_bench). Each dictionary is stored
// once in the outbox table under its hash (item `zstd-dictionary#<hash>`,
// which has no `state` and so is in no listing) and an entry names the hash
// it used (`bodies_dictionary`), so entries stay readable after the
// templates change and in a process started with other ones.
// Entries written before any of this keep `text_body`/`html_body` as S.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/zstd.h"
#include "notify/mailer.h"
#include "table/table_client.h"

namespace notify {

class BodyCodec {
 public:
  // REQUIRES: `tables` outlives the codec.
  BodyCodec(table::TableClient* tables, std::string table_name)
      : tables_(tables), table_name_(std::move(table_name)) {}

  // Stores `sample` (when new) and compresses against it from now on.
  common::Status UseDictionary(const std::string& sample);
  // Sets `item`'s bodies attributes from `email`.
  common::Status Pack(const Email& email, table::Item* item) const;
  // Sets `email`'s bodies from `item`. Corruption for a malformed frame or
  // a dictionary that is not in the table.
  common::Status Unpack(const table::Item& item, Email* email) const;

 private:
  using Dictionary = std::shared_ptr<const common::ZstdDictionary>;
  common::Result<Dictionary> Find(const std::string& hash) const;
  // The table item that stores the dictionary of `hash`, if any.
  common::Result<std::optional<table::Item>> Stored(const std::string& hash) const;

  table::TableClient* tables_;
  const std::string table_name_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Dictionary> known_;  // guarded by mu_; by hash
  std::string packing_hash_;                 // guarded by mu_; "": no dictionary
  Dictionary packing_;                       // guarded by mu_
};

}  // namespace notify
