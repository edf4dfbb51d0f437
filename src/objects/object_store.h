// FileObjectStore: the embedded S3-like engine on the local file system.
//
//   <root>/buckets/<bucket>/bucket              bucket sidecar (creation time)
//   <root>/buckets/<bucket>/o/<hh>/<sha256(key)>          object sidecar
//   <root>/buckets/<bucket>/o/<hh>/<sha256(key)>.<gen>    object bytes
//   <root>/uploads/<upload id>/upload           multipart upload sidecar
//   <root>/uploads/<upload id>/part-<nnnnn>[.<gen>]       part sidecar, bytes
//   <root>/tmp/                                 scratch, emptied at Open
//
// Keys never become path components: a file name is the SHA-256 of the key,
// so no key (../, /abs, NUL, 1024 bytes) can escape its bucket's folder. The
// key order S3 lists in lives in an in-memory index per bucket, rebuilt from
// the sidecars at Open (README.md explains the choice).
//
// Durability: a write is acknowledged after its bytes and sidecar are
// fsynced and the sidecar renamed into place with its directory fsynced.
// The sidecar names its data file, so the rename is the single commit point:
// a crash leaves the old object or the new one, never a mix. Data files that
// no sidecar names are removed at Open; replaced data files are removed a
// grace period later so readers sending them by path are not cut short.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "common/clock.h"
#include "objects/meta_codec.h"
#include "objects/object_client.h"

namespace objects {

class DataFile;

struct StoreOptions {
  // Every part but the last must be at least this big (S3: 5 MiB).
  uint64_t min_part_bytes = 5ULL << 20;
  // Replaced or deleted data files stay on disk this long.
  int64_t replaced_file_grace_millis = 60'000;
  common::Clock* clock = common::SystemClock::Default();
};

class FileObjectStore final : public ObjectClient {
 public:
  // Opens or creates the store under `root`, clears temp files and data a
  // crash left behind, and loads every bucket's index.
  static Result<std::unique_ptr<FileObjectStore>> Open(const std::string& root,
                                                        StoreOptions options = {});
  ~FileObjectStore() override;

  Status CreateBucket(const std::string& bucket) override;
  Result<BucketInfo> HeadBucket(const std::string& bucket) override;
  Status DeleteBucket(const std::string& bucket) override;
  Result<std::vector<BucketInfo>> ListBuckets() override;

  Result<ObjectInfo> PutObject(const std::string& bucket, const std::string& key,
                               std::string_view data, const PutOptions& options) override;
  Result<std::unique_ptr<ObjectWriter>> NewObjectWriter(const std::string& bucket,
                                                        const std::string& key,
                                                        const PutOptions& options) override;
  Result<GetResult> GetObject(const std::string& bucket, const std::string& key,
                              const GetOptions& options) override;
  Result<ObjectInfo> HeadObject(const std::string& bucket, const std::string& key,
                                const Conditions& conditions) override;
  Status DeleteObject(const std::string& bucket, const std::string& key) override;
  Result<std::vector<DeleteResult>> DeleteObjects(const std::string& bucket,
                                                  const std::vector<std::string>& keys) override;
  Result<ObjectInfo> CopyObject(const CopyRequest& request) override;
  Result<ListObjectsResult> ListObjects(const ListObjectsRequest& request) override;

  Result<MultipartUpload> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                const ObjectMetadata& metadata) override;
  Result<PartInfo> UploadPart(const std::string& bucket, const std::string& key,
                              const std::string& upload_id, int part_number, std::string_view data,
                              const std::optional<std::string>& content_md5_base64) override;
  Result<std::unique_ptr<PartWriter>> NewPartWriter(const std::string& bucket, const std::string& key,
                                                    const std::string& upload_id, int part_number,
                                                    const std::optional<std::string>& content_md5_base64) override;
  Result<PartInfo> UploadPartCopy(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id, int part_number,
                                  const CopyRequest& source,
                                  const std::optional<ByteRange>& range) override;
  Result<ObjectInfo> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id,
                                             const std::vector<CompletedPart>& parts) override;
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id) override;
  Result<ListPartsResult> ListParts(const std::string& bucket, const std::string& key,
                                    const std::string& upload_id, int max_parts,
                                    int part_number_marker) override;
  Result<ListUploadsResult> ListMultipartUploads(const std::string& bucket,
                                                 const std::string& prefix,
                                                 int max_uploads) override;

  // S3's bucket naming rules; InvalidArgument ("InvalidBucketName: ...").
  static Status ValidateBucketName(std::string_view name);
  static Status ValidateKey(std::string_view key);

 private:
  struct Bucket {
    std::string name;
    std::string dir;
    int64_t created_millis = 0;
    mutable std::shared_mutex mu;
    bool deleted = false;                         // GUARDED_BY(mu)
    std::map<std::string, StoredObject> objects;  // GUARDED_BY(mu)
  };
  struct Upload {
    StoredUpload stored;
    std::string dir;
    std::mutex mu;  // serializes Complete/Abort with UploadPart
    bool finished = false;  // GUARDED_BY(mu)
  };
  class Writer;
  friend class Writer;
  class PartFileWriter;
  friend class PartFileWriter;

  FileObjectStore(std::string root, StoreOptions options);
  Status Load();
  Status LoadBucket(const std::string& name);
  Status LoadUploads();
  Status SweepUpload(const std::string& dir);

  Result<std::shared_ptr<Bucket>> FindBucket(const std::string& name) const;
  Result<std::shared_ptr<Upload>> FindUpload(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id) const;
  // The directory of `key`'s files and the sidecar's name (hash of the key).
  static std::pair<std::string, std::string> KeyLocation(const Bucket& bucket, const std::string& key);

  // Installs a fully written, fsynced data file as `key`'s current version.
  Result<ObjectInfo> CommitObject(Bucket& bucket, StoredObject object, const PutOptions& options);
  // Verifies and commits a finished multipart data file under `etag`.
  Result<ObjectInfo> CommitDataFile(std::shared_ptr<Bucket> bucket, const std::string& key,
                                    const PutOptions& options, std::unique_ptr<DataFile> file,
                                    std::string etag, int parts_count);
  Result<GetResult> OpenForRead(const std::string& bucket, const std::string& key,
                                const GetOptions& options);
  // Installs a fully written part file (Finish()ed) as `part_number`.
  Result<PartInfo> CommitPart(Upload& upload, int part_number, DataFile& file,
                              const std::optional<std::string>& md5);
  Result<std::unique_ptr<DataFile>> NewPartFile(Upload& upload, int part_number);
  Status FinishUpload(Upload& upload);

  // Removes `path` once the grace period has passed; also removes any
  // earlier files whose time has come.
  void Retire(std::string path);
  void ReapRetired(bool all);
  int64_t Now() const { return options_.clock->NowMillis(); }
  std::string TmpName() const;

  const std::string root_;
  const StoreOptions options_;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Bucket>> buckets_;     // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Upload>> uploads_;     // GUARDED_BY(mu_)
  std::deque<std::pair<int64_t, std::string>> retired_;        // GUARDED_BY(mu_)
};

}  // namespace objects
