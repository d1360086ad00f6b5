#include "http/web_assets.h"

#include <map>

namespace thrad {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// 128 bits of the content's SHA-256: enough to tell versions apart, short on the wire.
constexpr size_t kEtagHexChars = 32;

std::map<std::string_view, WebAsset, std::less<>> BuildAssets() {
  std::map<std::string_view, WebAsset, std::less<>> assets;
  for (std::span<const EmbeddedFile> files : {EmbeddedWebAssets(), EmbeddedVendorWebAssets()}) {
    for (const EmbeddedFile& f : files) {
      assets.emplace(
          f.name,
          WebAsset{.content = f.content,
                   .content_type = ContentTypeOf(f.name),
                   .etag = "\"" + std::string(f.sha256_hex.substr(0, kEtagHexChars)) + "\""});
    }
  }
  return assets;
}

}  // namespace

std::string_view ContentTypeOf(std::string_view name) {
  struct Type {
    std::string_view extension;
    std::string_view media_type;
  };
  static constexpr Type kTypes[] = {
      {".js", "text/javascript"},
      {".mjs", "text/javascript"},
      {".css", "text/css; charset=utf-8"},
      {".html", "text/html; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const Type& t : kTypes) {
    if (EndsWith(name, t.extension)) return t.media_type;
  }
  return "application/octet-stream";
}

const WebAsset* FindWebAsset(std::string_view name) {
  static const auto* const kAssets =
      new std::map<std::string_view, WebAsset, std::less<>>(BuildAssets());
  auto it = kAssets->find(name);
  return it == kAssets->end() ? nullptr : &it->second;
}

bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
  if (TrimSpace(header) == "*") return true;
  std::string_view rest = header;
  while (true) {
    rest = TrimSpace(rest);
    if (rest.empty()) return false;
    if (rest.substr(0, 2) == "W/") rest.remove_prefix(2);
    if (rest.empty() || rest.front() != '"') return false;
    const size_t close = rest.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (rest.substr(0, close + 1) == etag) return true;
    rest = TrimSpace(rest.substr(close + 1));
    if (rest.empty()) return false;
    if (rest.front() != ',') return false;
    rest.remove_prefix(1);
  }
}

ApiResponse AssetResponse(const WebAsset& asset, std::string_view cache_control,
                          std::optional<std::string_view> if_none_match) {
  ApiResponse res;
  res.AddHeader("ETag", asset.etag);
  res.AddHeader("Cache-Control", std::string(cache_control));
  if (if_none_match && IfNoneMatchHits(*if_none_match, asset.etag)) {
    res.status = 304;
    return res;
  }
  res.status = 200;
  res.content_type = std::string(asset.content_type);
  res.body = std::string(asset.content);
  return res;
}

}  // namespace thrad
