#include "objects/object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "common/logging.h"
#include "common/sha256.h"
#include "objects/data_file.h"
#include "objects/digest.h"
#include "objects/files.h"
#include "objects/listing.h"

namespace objects {
namespace {

constexpr size_t kCopyChunk = 1 << 20;

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

Status NoSuchBucket(const std::string& bucket) {
  return Status::NotFound("NoSuchBucket: bucket \"" + bucket + "\" does not exist");
}

Status NoSuchKey(const std::string& bucket, const std::string& key) {
  return Status::NotFound("NoSuchKey: no key \"" + key + "\" in bucket \"" + bucket + "\"");
}

Status ValidateMetadata(const ObjectMetadata& m) {
  size_t bytes = 0;
  for (const auto& [k, v] : m.user) bytes += k.size() + v.size();
  if (bytes > kMaxUserMetadataBytes) {
    return Status::LimitExceeded("MetadataTooLarge: user metadata is " + std::to_string(bytes) +
                                 " bytes; the limit is " + std::to_string(kMaxUserMetadataBytes));
  }
  return Status::OK();
}

}  // namespace

// One PutObject (or copy, or multipart completion) in progress.
class FileObjectStore::Writer final : public ObjectWriter {
 public:
  Writer(FileObjectStore* store, std::shared_ptr<Bucket> bucket, std::string key, PutOptions options,
         std::unique_ptr<DataFile> file)
      : store_(store), bucket_(std::move(bucket)), key_(std::move(key)), options_(std::move(options)),
        file_(std::move(file)) {}

  Status Append(std::string_view chunk) override { return file_->Append(chunk); }
  void SetChecksum(std::string algorithm, std::string value_base64) override {
    // A trailer naming another algorithm than the one we computed is stored
    // as sent (we cannot check it).
    if (algorithm != options_.metadata.checksum_algorithm) unchecked_algorithm_ = true;
    options_.metadata.checksum_algorithm = std::move(algorithm);
    options_.metadata.checksum_value = std::move(value_base64);
  }
  DataFile& file() { return *file_; }

  Result<ObjectInfo> Commit() override { return CommitAs("", 0); }

  // `etag` overrides the MD5 of the bytes (multipart completion).
  Result<ObjectInfo> CommitAs(std::string etag, int parts_count) {
    RETURN_IF_ERROR(file_->Finish());
    if (options_.content_md5_base64) {
      auto want = Base64Decode(*options_.content_md5_base64);
      if (!want || want->size() != 16) {
        return Status::InvalidArgument("InvalidDigest: Content-MD5 \"" + *options_.content_md5_base64 + "\" is not base64 of 16 bytes");
      }
      if (*want != file_->md5()) return Status::InvalidArgument("BadDigest: Content-MD5 does not match the body");
    }
    const ObjectMetadata& m = options_.metadata;
    if (!m.checksum_value.empty() && !file_->checksum().empty() && !unchecked_algorithm_ &&
        Base64Encode(file_->checksum()) != m.checksum_value) {
      return Status::InvalidArgument("BadDigest: x-amz-checksum-" + m.checksum_algorithm +
                                     " does not match the body");
    }
    StoredObject object;
    object.info.key = key_;
    object.info.size = file_->size();
    object.info.etag = etag.empty() ? HexEncode(file_->md5()) : std::move(etag);
    object.info.parts_count = parts_count;
    object.info.metadata = m;
    if (object.info.metadata.checksum_value.empty() && !file_->checksum().empty() && !unchecked_algorithm_) {
      object.info.metadata.checksum_value = Base64Encode(file_->checksum());
    }
    object.data_file = file_->path().substr(file_->path().rfind('/') + 1);
    ASSIGN_OR_RETURN(ObjectInfo info, store_->CommitObject(*bucket_, std::move(object), options_));
    file_->Keep();
    return info;
  }

 private:
  FileObjectStore* store_;
  std::shared_ptr<Bucket> bucket_;
  std::string key_;
  PutOptions options_;
  std::unique_ptr<DataFile> file_;
  bool unchecked_algorithm_ = false;
};

Result<ObjectInfo> FileObjectStore::CommitDataFile(std::shared_ptr<Bucket> bucket, const std::string& key,
                                                   const PutOptions& options, std::unique_ptr<DataFile> file,
                                                   std::string etag, int parts_count) {
  Writer writer(this, std::move(bucket), key, options, std::move(file));
  return writer.CommitAs(std::move(etag), parts_count);
}

FileObjectStore::FileObjectStore(std::string root, StoreOptions options)
    : root_(std::move(root)), options_(options) {}

FileObjectStore::~FileObjectStore() { ReapRetired(true); }

Result<std::unique_ptr<FileObjectStore>> FileObjectStore::Open(const std::string& root, StoreOptions options) {
  std::unique_ptr<FileObjectStore> store(new FileObjectStore(root, options));
  RETURN_IF_ERROR(store->Load());
  return store;
}

Status FileObjectStore::Load() {
  RETURN_IF_ERROR(files::RemoveTree(root_ + "/tmp"));
  for (const char* sub : {"/tmp", "/buckets", "/uploads"}) RETURN_IF_ERROR(files::MakeDirs(root_ + sub));
  ASSIGN_OR_RETURN(auto names, files::ListDir(root_ + "/buckets"));
  for (const auto& name : names) {
    if (!ValidateBucketName(name).ok()) continue;
    RETURN_IF_ERROR(LoadBucket(name));
  }
  return LoadUploads();
}

Status FileObjectStore::LoadBucket(const std::string& name) {
  auto bucket = std::make_shared<Bucket>();
  bucket->name = name;
  bucket->dir = root_ + "/buckets/" + name;
  ASSIGN_OR_RETURN(std::string created, files::ReadFile(bucket->dir + "/bucket"));
  std::from_chars(created.data(), created.data() + created.size(), bucket->created_millis);
  ASSIGN_OR_RETURN(auto shards, files::ListDir(bucket->dir + "/o"));
  for (const auto& shard : shards) {
    std::string dir = bucket->dir + "/o/" + shard;
    ASSIGN_OR_RETURN(auto entries, files::ListDir(dir));
    std::set<std::string> referenced;
    for (const auto& entry : entries) {
      if (!IsHex64(entry)) continue;
      ASSIGN_OR_RETURN(std::string bytes, files::ReadFile(dir + "/" + entry));
      auto object = DecodeObject(bytes);
      if (!object.ok()) {
        spdlog::error("objects: skipping {}/{}: {}", dir, entry, object.status().ToString());
        continue;
      }
      referenced.insert(object->data_file);
      std::string key = object->info.key;
      bucket->objects.emplace(std::move(key), std::move(object).value());
    }
    // Temp sidecars and data files no sidecar names are what a crash left.
    for (const auto& entry : entries) {
      if (!IsHex64(entry) && !referenced.contains(entry)) ::unlink((dir + "/" + entry).c_str());
    }
  }
  std::lock_guard lock(mu_);
  buckets_[name] = std::move(bucket);
  return Status::OK();
}

Status FileObjectStore::LoadUploads() {
  ASSIGN_OR_RETURN(auto ids, files::ListDir(root_ + "/uploads"));
  for (const auto& id : ids) {
    std::string dir = root_ + "/uploads/" + id;
    auto bytes = files::ReadFile(dir + "/upload");
    auto stored = bytes.ok() ? DecodeUpload(*bytes) : Result<StoredUpload>(bytes.status());
    std::lock_guard lock(mu_);
    if (!stored.ok() || !buckets_.contains(stored->upload.bucket)) {
      RETURN_IF_ERROR(files::RemoveTree(dir));
      continue;
    }
    RETURN_IF_ERROR(SweepUpload(dir));
    auto upload = std::make_shared<Upload>();
    upload->stored = std::move(stored).value();
    upload->dir = dir;
    uploads_[id] = std::move(upload);
  }
  return Status::OK();
}

// What a crash in UploadPart left in an upload's folder: a sidecar's temp
// file (part-NNNNN.<hex>.tmp) and a data file no sidecar names, as
// LoadBucket does for objects.
Status FileObjectStore::SweepUpload(const std::string& dir) {
  ASSIGN_OR_RETURN(auto entries, files::ListDir(dir));
  std::set<std::string> referenced{"upload"};
  for (const auto& name : entries) {
    if (name.size() != 10 || !name.starts_with("part-")) continue;
    auto bytes = files::ReadFile(dir + "/" + name);
    auto part = bytes.ok() ? DecodePart(*bytes) : Result<StoredPart>(bytes.status());
    if (!part.ok()) continue;  // ListParts and Complete report it
    referenced.insert(name);
    referenced.insert(part->data_file);
  }
  for (const auto& name : entries) {
    if (!referenced.contains(name) && !(name.size() == 10 && name.starts_with("part-"))) {
      ::unlink((dir + "/" + name).c_str());
    }
  }
  return Status::OK();
}

Status FileObjectStore::ValidateBucketName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("InvalidBucketName: bucket name \"" + std::string(name) + "\" " + std::string(why));
  };
  if (name.size() < 3 || name.size() > 63) return bad("must be 3 to 63 characters long");
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return bad("may hold only a-z, 0-9, '.' and '-'");
    }
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return bad("must begin and end with a letter or digit");
  if (name.find("..") != std::string_view::npos) return bad("must not contain \"..\"");
  return Status::OK();
}

Status FileObjectStore::ValidateKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("InvalidArgument: the object key is empty");
  if (key.size() > kMaxKeyBytes) {
    return Status::InvalidArgument("KeyTooLongError: the key is " + std::to_string(key.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxKeyBytes));
  }
  if (!ValidUtf8(key)) return Status::InvalidArgument("InvalidArgument: the object key is not valid UTF-8");
  return Status::OK();
}

std::string FileObjectStore::TmpName() const { return root_ + "/tmp/" + files::RandomHex(12); }

Result<std::shared_ptr<FileObjectStore::Bucket>> FileObjectStore::FindBucket(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return NoSuchBucket(name);
  return it->second;
}

std::pair<std::string, std::string> FileObjectStore::KeyLocation(const Bucket& bucket, const std::string& key) {
  std::string hash = common::Sha256Hex(key);
  return {bucket.dir + "/o/" + hash.substr(0, 2), hash};
}

Status FileObjectStore::CreateBucket(const std::string& name) {
  RETURN_IF_ERROR(ValidateBucketName(name));
  std::lock_guard lock(mu_);
  if (buckets_.contains(name)) {
    return Status::AlreadyExists("BucketAlreadyOwnedByYou: bucket \"" + name + "\" already exists");
  }
  // Build the folder aside and rename it in, so a crash never leaves half a bucket.
  std::string tmp = TmpName();
  auto bucket = std::make_shared<Bucket>();
  bucket->name = name;
  bucket->dir = root_ + "/buckets/" + name;
  bucket->created_millis = Now();
  RETURN_IF_ERROR(files::MakeDirs(tmp + "/o"));
  RETURN_IF_ERROR(files::WriteFileAtomic(tmp, "bucket", std::to_string(bucket->created_millis)));
  if (::rename(tmp.c_str(), bucket->dir.c_str()) != 0) return files::ErrnoStatus("rename", tmp);
  RETURN_IF_ERROR(files::SyncDir(root_ + "/buckets"));
  buckets_[name] = std::move(bucket);
  return Status::OK();
}

Result<BucketInfo> FileObjectStore::HeadBucket(const std::string& name) {
  ASSIGN_OR_RETURN(auto bucket, FindBucket(name));
  return BucketInfo{bucket->name, bucket->created_millis};
}

Status FileObjectStore::DeleteBucket(const std::string& name) {
  std::shared_ptr<Bucket> bucket;
  {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(name);
    if (it == buckets_.end()) return NoSuchBucket(name);
    bucket = it->second;
    std::unique_lock block(bucket->mu);
    if (!bucket->objects.empty()) {
      return Status::ResourceInUse("BucketNotEmpty: bucket \"" + name + "\" still holds " +
                                   std::to_string(bucket->objects.size()) + " objects");
    }
    bucket->deleted = true;
    buckets_.erase(it);
    std::erase_if(uploads_, [&](const auto& kv) {
      if (kv.second->stored.upload.bucket != name) return false;
      (void)files::RemoveTree(kv.second->dir);
      return true;
    });
  }
  std::string tmp = TmpName();
  if (::rename(bucket->dir.c_str(), tmp.c_str()) != 0) return files::ErrnoStatus("rename", bucket->dir);
  RETURN_IF_ERROR(files::SyncDir(root_ + "/buckets"));
  return files::RemoveTree(tmp);
}

Result<std::vector<BucketInfo>> FileObjectStore::ListBuckets() {
  std::lock_guard lock(mu_);
  std::vector<BucketInfo> out;
  for (const auto& [name, bucket] : buckets_) out.push_back({name, bucket->created_millis});
  return out;
}

Result<std::unique_ptr<ObjectWriter>> FileObjectStore::NewObjectWriter(const std::string& bucket_name,
                                                                       const std::string& key,
                                                                       const PutOptions& options) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(ValidateMetadata(options.metadata));
  ASSIGN_OR_RETURN(auto bucket, FindBucket(bucket_name));
  auto [dir, hash] = KeyLocation(*bucket, key);
  RETURN_IF_ERROR(files::MakeDirs(dir));
  ASSIGN_OR_RETURN(auto file, DataFile::Create(dir + "/" + hash + "." + files::RandomHex(8), kMaxPutBytes,
                                               options.metadata.checksum_algorithm));
  return std::unique_ptr<ObjectWriter>(new Writer(this, std::move(bucket), key, options, std::move(file)));
}

Result<ObjectInfo> FileObjectStore::PutObject(const std::string& bucket, const std::string& key,
                                              std::string_view data, const PutOptions& options) {
  ASSIGN_OR_RETURN(auto writer, NewObjectWriter(bucket, key, options));
  RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

Result<ObjectInfo> FileObjectStore::CommitObject(Bucket& bucket, StoredObject object, const PutOptions& options) {
  auto [dir, hash] = KeyLocation(bucket, object.info.key);
  object.info.last_modified_millis = Now();
  std::string tmp = dir + "/" + object.data_file + ".tmp";
  {
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return files::ErrnoStatus("create", tmp);
    Status s = files::WriteAll(fd, EncodeObject(object), tmp);
    if (s.ok() && ::fdatasync(fd) != 0) s = files::ErrnoStatus("fdatasync", tmp);
    ::close(fd);
    // No directory fsync here: the data file, this temp sidecar and the
    // rename below are entries of one directory, and the single fsync of it
    // after the rename makes them durable together. A journaling file system
    // (ext4, XFS) commits directory operations in the order they were made,
    // so a crash before that fsync can lose the rename but never keep it
    // without the data file's entry; and the PUT is not answered before it.
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
  }
  std::string replaced;
  {
    std::unique_lock lock(bucket.mu);
    auto it = bucket.objects.find(object.info.key);
    Status s;
    if (bucket.deleted) {
      s = NoSuchBucket(bucket.name);
    } else if (options.if_none_match_any && it != bucket.objects.end()) {
      s = Status::ConditionFailed("PreconditionFailed: key \"" + object.info.key + "\" already exists");
    } else if (options.if_match) {
      Conditions c;
      c.if_match = options.if_match;
      s = it == bucket.objects.end() ? NoSuchKey(bucket.name, object.info.key) : CheckConditions(it->second.info, c);
    }
    if (s.ok() && ::rename(tmp.c_str(), (dir + "/" + hash).c_str()) != 0) s = files::ErrnoStatus("rename", tmp);
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
    if (it != bucket.objects.end()) {
      replaced = dir + "/" + it->second.data_file;
      it->second = object;
    } else {
      bucket.objects.emplace(object.info.key, object);
    }
  }
  RETURN_IF_ERROR(files::SyncDir(dir));
  if (!replaced.empty()) Retire(std::move(replaced));
  ReapRetired(false);
  return object.info;
}

Result<GetResult> FileObjectStore::OpenForRead(const std::string& bucket_name, const std::string& key,
                                               const GetOptions& options) {
  ASSIGN_OR_RETURN(auto bucket, FindBucket(bucket_name));
  GetResult out;
  std::string path;
  int fd = -1;
  {
    std::shared_lock lock(bucket->mu);
    auto it = bucket->objects.find(key);
    if (it == bucket->objects.end()) return NoSuchKey(bucket_name, key);
    out.info = it->second.info;
    RETURN_IF_ERROR(CheckConditions(out.info, options.conditions));
    path = KeyLocation(*bucket, key).first + "/" + it->second.data_file;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return files::ErrnoStatus("open", path);
  }
  out.length = out.info.size;
  if (options.range) {
    Status s = ResolveRange(*options.range, out.info.size, &out.first, &out.length);
    if (!s.ok()) {
      ::close(fd);
      return s;
    }
    out.partial = true;
  }
  out.reader = std::make_unique<FileReader>(fd, path, out.first, out.length);
  return out;
}

Result<GetResult> FileObjectStore::GetObject(const std::string& bucket, const std::string& key,
                                             const GetOptions& options) {
  return OpenForRead(bucket, key, options);
}

Result<ObjectInfo> FileObjectStore::HeadObject(const std::string& bucket_name, const std::string& key,
                                               const Conditions& conditions) {
  ASSIGN_OR_RETURN(auto bucket, FindBucket(bucket_name));
  std::shared_lock lock(bucket->mu);
  auto it = bucket->objects.find(key);
  if (it == bucket->objects.end()) return NoSuchKey(bucket_name, key);
  RETURN_IF_ERROR(CheckConditions(it->second.info, conditions));
  return it->second.info;
}

Status FileObjectStore::DeleteObject(const std::string& bucket_name, const std::string& key) {
  ASSIGN_OR_RETURN(auto bucket, FindBucket(bucket_name));
  auto [dir, hash] = KeyLocation(*bucket, key);
  std::string data;
  {
    std::unique_lock lock(bucket->mu);
    auto it = bucket->objects.find(key);
    if (it == bucket->objects.end()) return Status::OK();
    if (::unlink((dir + "/" + hash).c_str()) != 0) return files::ErrnoStatus("unlink", dir + "/" + hash);
    data = dir + "/" + it->second.data_file;
    bucket->objects.erase(it);
  }
  RETURN_IF_ERROR(files::SyncDir(dir));
  Retire(std::move(data));
  return Status::OK();
}

Result<std::vector<DeleteResult>> FileObjectStore::DeleteObjects(const std::string& bucket,
                                                                 const std::vector<std::string>& keys) {
  if (keys.size() > static_cast<size_t>(kMaxListKeys)) {
    return Status::InvalidArgument("MalformedXML: " + std::to_string(keys.size()) +
                                   " keys to delete; the limit is 1000");
  }
  RETURN_IF_ERROR(FindBucket(bucket).status());
  std::vector<DeleteResult> out;
  for (const auto& key : keys) out.push_back({key, DeleteObject(bucket, key)});
  return out;
}

Result<ObjectInfo> FileObjectStore::CopyObject(const CopyRequest& req) {
  GetOptions get;
  get.conditions = req.source_conditions;
  auto source = OpenForRead(req.source_bucket, req.source_key, get);
  if (!source.ok()) {
    // A copy answers 412 for every failed source condition, If-None-Match too.
    if (source.status().IsConditionFailed()) {
      return Status::ConditionFailed("PreconditionFailed: " + source.status().message());
    }
    return source.TakeStatus();
  }
  PutOptions put;
  put.metadata = req.replace_metadata.value_or(source->info.metadata);
  if (req.replace_metadata) {
    put.metadata.checksum_algorithm = source->info.metadata.checksum_algorithm;
    put.metadata.checksum_value = source->info.metadata.checksum_value;
  }
  ASSIGN_OR_RETURN(auto writer, NewObjectWriter(req.bucket, req.key, put));
  for (;;) {
    ASSIGN_OR_RETURN(std::string chunk, source->reader->Read(kCopyChunk));
    if (chunk.empty()) break;
    RETURN_IF_ERROR(writer->Append(chunk));
  }
  return writer->Commit();
}

Result<ListObjectsResult> FileObjectStore::ListObjects(const ListObjectsRequest& request) {
  ASSIGN_OR_RETURN(auto bucket, FindBucket(request.bucket));
  std::shared_lock lock(bucket->mu);
  return ListIndex(bucket->objects, request);
}

void FileObjectStore::Retire(std::string path) {
  {
    std::lock_guard lock(mu_);
    retired_.emplace_back(Now() + options_.replaced_file_grace_millis, std::move(path));
  }
  ReapRetired(false);
}

void FileObjectStore::ReapRetired(bool all) {
  std::lock_guard lock(mu_);
  int64_t now = Now();
  while (!retired_.empty() && (all || retired_.front().first <= now)) {
    ::unlink(retired_.front().second.c_str());
    retired_.pop_front();
  }
}

namespace {

class BufferedPartWriter final : public PartWriter {
 public:
  BufferedPartWriter(ObjectClient* client, std::string bucket, std::string key, std::string upload_id, int part_number,
                     std::optional<std::string> md5)
      : client_(client), bucket_(std::move(bucket)), key_(std::move(key)), upload_id_(std::move(upload_id)),
        part_number_(part_number), md5_(std::move(md5)) {}
  Status Append(std::string_view chunk) override {
    data_.append(chunk);
    return Status::OK();
  }
  Result<PartInfo> Commit() override {
    return client_->UploadPart(bucket_, key_, upload_id_, part_number_, data_, md5_);
  }

 private:
  ObjectClient* client_;
  std::string bucket_, key_, upload_id_;
  int part_number_;
  std::optional<std::string> md5_;
  std::string data_;
};

}  // namespace

Result<std::unique_ptr<PartWriter>> ObjectClient::NewPartWriter(const std::string& bucket, const std::string& key,
                                                                const std::string& upload_id, int part_number,
                                                                const std::optional<std::string>& md5) {
  return std::unique_ptr<PartWriter>(new BufferedPartWriter(this, bucket, key, upload_id, part_number, md5));
}

Result<std::string> ObjectClient::GetObjectBytes(const std::string& bucket, const std::string& key) {
  ASSIGN_OR_RETURN(GetResult got, GetObject(bucket, key, {}));
  std::string out;
  for (;;) {
    ASSIGN_OR_RETURN(std::string chunk, got.reader->Read(kCopyChunk));
    if (chunk.empty()) return out;
    out += chunk;
  }
}

}  // namespace objects
