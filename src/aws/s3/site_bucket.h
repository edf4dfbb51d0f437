// The site bucket: the web UI served from an object bucket (default "site")
// instead of a folder, so `aws s3 sync web/dist s3://site` redeploys it
// without a restart. The gateway's StaticFiles keeps its behaviour (content
// types, ETag/304, gzip, SPA fallback); this adapter only answers "which
// version is this path" and "its bytes".
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "gateway/static_files.h"
#include "objects/object_client.h"

namespace aws::s3 {

class BucketStaticStore final : public gateway::StaticStore {
 public:
  // `store` must outlive this object.
  BucketStaticStore(objects::ObjectClient* store, std::string bucket)
      : store_(store), bucket_(std::move(bucket)) {}

  std::optional<Info> Stat(const std::string& path) override;
  std::optional<std::string> Read(const std::string& path) override;
  std::shared_ptr<gateway::BodySource> Open(const std::string& path) override;

 private:
  objects::ObjectClient* store_;
  std::string bucket_;
};

// Creates `bucket` if missing and, when it holds no objects, uploads every
// file under `dir` (keys are paths relative to `dir`, content types as the
// gateway serves them). Returns how many files were uploaded; a missing
// `dir` uploads nothing.
common::Result<int> SeedSiteBucket(objects::ObjectClient* store, const std::string& bucket, const std::string& dir);

}  // namespace aws::s3
