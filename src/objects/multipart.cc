// FileObjectStore's multipart upload: each upload is a folder of parts under
// <root>/uploads/<id>/; completion copies the parts, in the kernel, into one
// new data file and commits it like a PutObject.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "objects/data_file.h"
#include "objects/digest.h"
#include "objects/files.h"
#include "objects/object_store.h"

namespace objects {
namespace {

constexpr size_t kCopyChunk = 1 << 20;

std::string PartName(int part_number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "part-%05d", part_number);
  return buf;
}

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

Status NoSuchUpload(const std::string& id) {
  return Status::NotFound("NoSuchUpload: upload \"" + id + "\" does not exist; it may have been completed or aborted");
}

Status CheckPartNumber(int n) {
  if (n < 1 || n > kMaxPartNumber) {
    return Status::InvalidArgument("InvalidArgument: part number " + std::to_string(n) +
                                   " is not between 1 and 10000");
  }
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<FileObjectStore::Upload>> FileObjectStore::FindUpload(const std::string& bucket,
                                                                             const std::string& key,
                                                                             const std::string& upload_id) const {
  RETURN_IF_ERROR(FindBucket(bucket).status());
  std::lock_guard lock(mu_);
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second->stored.upload.bucket != bucket || it->second->stored.upload.key != key) {
    return NoSuchUpload(upload_id);
  }
  return it->second;
}

Result<MultipartUpload> FileObjectStore::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                               const ObjectMetadata& metadata) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(FindBucket(bucket).status());
  auto upload = std::make_shared<Upload>();
  upload->stored.upload = {files::RandomHex(16), bucket, key, Now()};
  upload->stored.metadata = metadata;
  upload->dir = root_ + "/uploads/" + upload->stored.upload.upload_id;
  std::string tmp = TmpName();
  RETURN_IF_ERROR(files::MakeDirs(tmp));
  RETURN_IF_ERROR(files::WriteFileAtomic(tmp, "upload", EncodeUpload(upload->stored)));
  if (::rename(tmp.c_str(), upload->dir.c_str()) != 0) return files::ErrnoStatus("rename", tmp);
  RETURN_IF_ERROR(files::SyncDir(root_ + "/uploads"));
  std::lock_guard lock(mu_);
  uploads_[upload->stored.upload.upload_id] = upload;
  return upload->stored.upload;
}

Result<std::unique_ptr<DataFile>> FileObjectStore::NewPartFile(Upload& upload, int part_number) {
  RETURN_IF_ERROR(CheckPartNumber(part_number));
  return DataFile::Create(upload.dir + "/" + PartName(part_number) + "." + files::RandomHex(8), kMaxPutBytes, "");
}

Result<PartInfo> FileObjectStore::CommitPart(Upload& upload, int part_number, DataFile& file,
                                             const std::optional<std::string>& md5) {
  RETURN_IF_ERROR(file.Finish());
  if (md5) {
    auto want = Base64Decode(*md5);
    if (!want || *want != file.md5()) return Status::InvalidArgument("BadDigest: Content-MD5 does not match the part");
  }
  std::string name = PartName(part_number);
  StoredPart part;
  part.part = {part_number, file.size(), HexEncode(file.md5()), Now()};
  part.data_file = file.path().substr(file.path().rfind('/') + 1);
  std::lock_guard lock(upload.mu);
  if (upload.finished) return NoSuchUpload(upload.stored.upload.upload_id);
  auto old = files::ReadFile(upload.dir + "/" + name);
  // One directory fsync (in WriteFileAtomic, after the rename) makes both the
  // part's data file and its sidecar durable: they share the directory.
  RETURN_IF_ERROR(files::WriteFileAtomic(upload.dir, name, EncodePart(part)));
  file.Keep();
  if (old.ok()) {
    // Parts are never served by path, so the replaced bytes can go now.
    if (auto old_part = DecodePart(*old); old_part.ok()) ::unlink((upload.dir + "/" + old_part->data_file).c_str());
  }
  return part.part;
}

class FileObjectStore::PartFileWriter final : public PartWriter {
 public:
  PartFileWriter(FileObjectStore* store, std::shared_ptr<Upload> upload, int part_number,
                 std::optional<std::string> md5, std::unique_ptr<DataFile> file)
      : store_(store), upload_(std::move(upload)), part_number_(part_number), md5_(std::move(md5)),
        file_(std::move(file)) {}
  Status Append(std::string_view chunk) override { return file_->Append(chunk); }
  Result<PartInfo> Commit() override { return store_->CommitPart(*upload_, part_number_, *file_, md5_); }

 private:
  FileObjectStore* store_;
  std::shared_ptr<Upload> upload_;
  int part_number_;
  std::optional<std::string> md5_;
  std::unique_ptr<DataFile> file_;
};

Result<std::unique_ptr<PartWriter>> FileObjectStore::NewPartWriter(const std::string& bucket, const std::string& key,
                                                                   const std::string& upload_id, int part_number,
                                                                   const std::optional<std::string>& md5) {
  ASSIGN_OR_RETURN(auto upload, FindUpload(bucket, key, upload_id));
  ASSIGN_OR_RETURN(auto file, NewPartFile(*upload, part_number));
  return std::unique_ptr<PartWriter>(new PartFileWriter(this, std::move(upload), part_number, md5, std::move(file)));
}

Result<PartInfo> FileObjectStore::UploadPart(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id, int part_number, std::string_view data,
                                             const std::optional<std::string>& content_md5_base64) {
  ASSIGN_OR_RETURN(auto writer, NewPartWriter(bucket, key, upload_id, part_number, content_md5_base64));
  RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

Result<PartInfo> FileObjectStore::UploadPartCopy(const std::string& bucket, const std::string& key,
                                                 const std::string& upload_id, int part_number,
                                                 const CopyRequest& source_req, const std::optional<ByteRange>& range) {
  ASSIGN_OR_RETURN(auto upload, FindUpload(bucket, key, upload_id));
  GetOptions get;
  get.conditions = source_req.source_conditions;
  get.range = range;
  auto source = OpenForRead(source_req.source_bucket, source_req.source_key, get);
  if (!source.ok()) {
    if (source.status().IsConditionFailed()) {
      return Status::ConditionFailed("PreconditionFailed: " + source.status().message());
    }
    return source.TakeStatus();
  }
  ASSIGN_OR_RETURN(auto file, NewPartFile(*upload, part_number));
  for (;;) {
    ASSIGN_OR_RETURN(std::string chunk, source->reader->Read(kCopyChunk));
    if (chunk.empty()) break;
    RETURN_IF_ERROR(file->Append(chunk));
  }
  return CommitPart(*upload, part_number, *file, std::nullopt);
}

Result<ObjectInfo> FileObjectStore::CompleteMultipartUpload(const std::string& bucket_name, const std::string& key,
                                                            const std::string& upload_id,
                                                            const std::vector<CompletedPart>& parts) {
  ASSIGN_OR_RETURN(auto upload, FindUpload(bucket_name, key, upload_id));
  ASSIGN_OR_RETURN(auto bucket, FindBucket(bucket_name));
  std::lock_guard lock(upload->mu);
  if (upload->finished) return NoSuchUpload(upload_id);
  if (parts.empty()) return Status::InvalidArgument("MalformedXML: CompleteMultipartUpload lists no parts");
  std::vector<StoredPart> stored;
  for (size_t i = 0; i < parts.size(); ++i) {
    RETURN_IF_ERROR(CheckPartNumber(parts[i].part_number));
    if (i > 0 && parts[i].part_number <= parts[i - 1].part_number) {
      return Status::InvalidArgument("InvalidPartOrder: part " + std::to_string(parts[i].part_number) +
                                     " follows part " + std::to_string(parts[i - 1].part_number));
    }
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    auto bytes = files::ReadFile(upload->dir + "/" + PartName(parts[i].part_number));
    auto part = bytes.ok() ? DecodePart(*bytes) : Result<StoredPart>(bytes.status());
    if (!part.ok() || part->part.etag != Unquote(parts[i].etag)) {
      return Status::InvalidArgument("InvalidPart: part " + std::to_string(parts[i].part_number) +
                                     " was not uploaded or its ETag \"" + Unquote(parts[i].etag) + "\" differs");
    }
    if (i + 1 < parts.size() && part->part.size < options_.min_part_bytes) {
      return Status::InvalidArgument("EntityTooSmall: part " + std::to_string(parts[i].part_number) + " is " +
                                     std::to_string(part->part.size) + " bytes; every part but the last needs " +
                                     std::to_string(options_.min_part_bytes));
    }
    stored.push_back(std::move(part).value());
  }

  auto [dir, hash] = KeyLocation(*bucket, key);
  RETURN_IF_ERROR(files::MakeDirs(dir));
  ASSIGN_OR_RETURN(auto file, DataFile::Create(dir + "/" + hash + "." + files::RandomHex(8), kMaxObjectBytes, ""));
  std::string md5s;
  for (const auto& part : stored) {
    std::string path = upload->dir + "/" + part.data_file;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return files::ErrnoStatus("open", path);
    Status s = file->AppendFrom(fd, 0, part.part.size);
    ::close(fd);
    RETURN_IF_ERROR(s);
    // S3's multipart ETag: MD5 of the parts' binary MD5s, then "-<count>".
    for (size_t i = 0; i + 1 < part.part.etag.size(); i += 2) {
      md5s += static_cast<char>(std::stoi(part.part.etag.substr(i, 2), nullptr, 16));
    }
  }
  PutOptions put;
  put.metadata = upload->stored.metadata;
  put.metadata.checksum_value.clear();
  ASSIGN_OR_RETURN(ObjectInfo info,
                   CommitDataFile(bucket, key, put, std::move(file),
                                  HexEncode(Md5(md5s)) + "-" + std::to_string(stored.size()),
                                  static_cast<int>(stored.size())));
  RETURN_IF_ERROR(FinishUpload(*upload));
  return info;
}

Status FileObjectStore::FinishUpload(Upload& upload) {
  upload.finished = true;
  {
    std::lock_guard lock(mu_);
    uploads_.erase(upload.stored.upload.upload_id);
  }
  std::string tmp = TmpName();
  if (::rename(upload.dir.c_str(), tmp.c_str()) != 0) return files::ErrnoStatus("rename", upload.dir);
  RETURN_IF_ERROR(files::SyncDir(root_ + "/uploads"));
  return files::RemoveTree(tmp);
}

Status FileObjectStore::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id) {
  ASSIGN_OR_RETURN(auto upload, FindUpload(bucket, key, upload_id));
  std::lock_guard lock(upload->mu);
  if (upload->finished) return NoSuchUpload(upload_id);
  return FinishUpload(*upload);
}

Result<ListPartsResult> FileObjectStore::ListParts(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id, int max_parts,
                                                   int part_number_marker) {
  ASSIGN_OR_RETURN(auto upload, FindUpload(bucket, key, upload_id));
  std::lock_guard lock(upload->mu);
  ASSIGN_OR_RETURN(auto names, files::ListDir(upload->dir));
  ListPartsResult out;
  for (const auto& name : names) {
    if (name.size() != 10 || !name.starts_with("part-")) continue;
    ASSIGN_OR_RETURN(std::string bytes, files::ReadFile(upload->dir + "/" + name));
    ASSIGN_OR_RETURN(StoredPart part, DecodePart(bytes));
    if (part.part.part_number > part_number_marker) out.parts.push_back(part.part);
  }
  std::sort(out.parts.begin(), out.parts.end(),
            [](const PartInfo& a, const PartInfo& b) { return a.part_number < b.part_number; });
  max_parts = std::clamp(max_parts, 0, kMaxListKeys);
  if (out.parts.size() > static_cast<size_t>(max_parts)) {
    out.parts.resize(static_cast<size_t>(max_parts));
    out.is_truncated = true;
  }
  if (!out.parts.empty()) out.next_part_number_marker = out.parts.back().part_number;
  return out;
}

Result<ListUploadsResult> FileObjectStore::ListMultipartUploads(const std::string& bucket, const std::string& prefix,
                                                                int max_uploads) {
  RETURN_IF_ERROR(FindBucket(bucket).status());
  ListUploadsResult out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, upload] : uploads_) {
      const auto& u = upload->stored.upload;
      if (u.bucket == bucket && u.key.starts_with(prefix)) out.uploads.push_back(u);
    }
  }
  std::sort(out.uploads.begin(), out.uploads.end(), [](const MultipartUpload& a, const MultipartUpload& b) {
    return std::tie(a.key, a.initiated_millis, a.upload_id) < std::tie(b.key, b.initiated_millis, b.upload_id);
  });
  max_uploads = std::clamp(max_uploads, 0, kMaxListKeys);
  if (out.uploads.size() > static_cast<size_t>(max_uploads)) {
    out.uploads.resize(static_cast<size_t>(max_uploads));
    out.is_truncated = true;
  }
  return out;
}

}  // namespace objects
