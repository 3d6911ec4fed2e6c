// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io
/// @file hepad/io/root/file.hpp
/// @brief `hepad::io::root::file`: a ROOT file opened without ROOT: the file header, the keys of
/// the top directory and of sub-directories, and the (decompressed) bytes of any keyed record.
/// Reads with `pread`, so one `file` may be shared by threads. Not here: TTree parsing (tree.hpp),
/// writing ROOT files, RNTuple, streamer-info driven generic objects.
///
/// Component `hepad::root_io`. Every read is bounds-checked; corrupt or truncated input throws a
/// `hepad::format_error` naming the file, the key and the byte offset.
#ifndef HEPAD_IO_ROOT_FILE_HPP
#define HEPAD_IO_ROOT_FILE_HPP

#include <hepad/core/error.hpp>
#include <hepad/io/root/decompress.hpp>
#include <hepad/io/root/detail/cursor.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hepad::io::root {

/// The fixed header at offset 0 of every ROOT file.
struct file_header {
  std::int32_t version = 0;  ///< 10000*major + 100*minor + patch (+1000000 for 64-bit seeks)
  std::int64_t begin = 0;    ///< offset of the first record (the TFile key), normally 100
  std::int64_t end = 0;      ///< first unused byte
  std::int64_t seek_free = 0;
  std::int32_t nbytes_free = 0, n_free = 0, nbytes_name = 0;
  std::uint8_t units = 4;  ///< 4 or 8: width of file pointers
  std::int32_t compress = 0;  ///< 100*algorithm + level
  std::int64_t seek_info = 0;
  std::int32_t nbytes_info = 0;
  std::uint16_t uuid_version = 0;
  std::array<std::uint8_t, 16> uuid{};

  /// ROOT release that wrote the file, e.g. 61800 for 6.18/00.
  [[nodiscard]] int root_version() const noexcept { return version % 1000000; }
  /// The UUID as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
  [[nodiscard]] std::string uuid_string() const {
    std::string s;
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
      s += detail::hex2(uuid[i]);
    }
    return s;
  }
  /// Default compression algorithm of the file.
  [[nodiscard]] codec compression() const noexcept { return static_cast<codec>(compress / 100); }
};

/// A TKey header: every record in a ROOT file (objects, key lists, baskets) starts with one.
struct key {
  std::int32_t nbytes = 0;   ///< on-disk size of the record including this header
  std::int16_t version = 0;  ///< > 1000: 64-bit seek fields
  std::int32_t objlen = 0;   ///< uncompressed size of the object
  std::uint32_t datime = 0;
  std::int16_t keylen = 0;  ///< size of this header
  std::int16_t cycle = 0;
  std::int64_t seek_key = 0;   ///< offset of this record
  std::int64_t seek_pdir = 0;  ///< offset of the parent directory record
  std::string class_name, name, title;

  /// True if the object bytes are compressed.
  [[nodiscard]] bool compressed() const noexcept { return nbytes - keylen != objlen; }
};

namespace detail {

/// Reads a TKey header at the cursor (after which the cursor is at header end).
inline key read_key(cursor& c) {
  const std::size_t start = c.pos();
  key k;
  k.nbytes = c.i32();
  k.version = c.i16();
  k.objlen = c.i32();
  k.datime = c.u32();
  k.keylen = c.i16();
  k.cycle = c.i16();
  if (k.version > 1000) {
    k.seek_key = c.i64();
    k.seek_pdir = c.i64();
  } else {
    k.seek_key = c.i32();
    k.seek_pdir = c.i32();
  }
  k.class_name = c.tstring();
  k.name = c.tstring();
  k.title = c.tstring();
  if (k.nbytes < 0 || k.objlen < 0 || k.keylen < 0 || c.pos() - start > static_cast<std::size_t>(k.keylen))
    fail_at(c.where(), start,
            hepad::detail::concat("bad key header (Nbytes ", k.nbytes, ", ObjLen ", k.objlen,
                                  ", KeyLen ", k.keylen, ")"));
  return k;
}

/// Random-access bytes of a file or of a memory buffer (thread-safe reads).
class source {
 public:
  virtual ~source() = default;
  [[nodiscard]] virtual std::int64_t size() const noexcept = 0;
  /// Reads exactly out.size() bytes at `offset` (caller checked the range).
  virtual void read(std::int64_t offset, std::span<unsigned char> out) const = 0;
};

class fd_source final : public source {
 public:
  explicit fd_source(const std::filesystem::path& p) : path_(p.string()) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      hepad::detail::raise<io_error>(path_, hepad::detail::concat("cannot open ROOT file: ",
                                                                  std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      hepad::detail::raise<io_error>(path_, "not a regular file");
    }
    size_ = static_cast<std::int64_t>(st.st_size);
  }
  fd_source(const fd_source&) = delete;
  fd_source& operator=(const fd_source&) = delete;
  ~fd_source() override { ::close(fd_); }
  [[nodiscard]] std::int64_t size() const noexcept override { return size_; }
  void read(std::int64_t offset, std::span<unsigned char> out) const override {
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t r = ::pread(fd_, out.data() + done, out.size() - done,
                                static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        hepad::detail::raise<io_error>(path_, hepad::detail::concat("read of ", out.size(),
                                                                    " bytes at offset ", offset,
                                                                    " failed: ",
                                                                    r < 0 ? std::strerror(errno)
                                                                          : "unexpected end of file"));
      done += static_cast<std::size_t>(r);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::int64_t size_ = 0;
};

class memory_source final : public source {
 public:
  explicit memory_source(std::vector<unsigned char> b) : b_(std::move(b)) {}
  [[nodiscard]] std::int64_t size() const noexcept override { return static_cast<std::int64_t>(b_.size()); }
  void read(std::int64_t offset, std::span<unsigned char> out) const override {
    if (!out.empty()) std::memcpy(out.data(), b_.data() + offset, out.size());
  }

 private:
  std::vector<unsigned char> b_;
};

/// What a `file` handle shares with the trees opened from it.
struct file_state {
  std::string path;
  std::unique_ptr<source> src;
  file_header header;
  decompress_options options;

  /// Reads `n` bytes at `offset` after checking the range against the file size.
  void read(std::int64_t offset, std::span<unsigned char> out, std::string_view item) const {
    const std::int64_t n = static_cast<std::int64_t>(out.size());
    if (offset < 0 || n < 0 || offset > src->size() || n > src->size() - offset)
      hepad::detail::raise<format_error>(path, std::string(item), offset,
                                         hepad::detail::concat("record of ", n,
                                                               " bytes runs past the end of the file (size ",
                                                               src->size(), ")"));
    src->read(offset, out);
  }
  std::vector<unsigned char> read(std::int64_t offset, std::int64_t n, std::string_view item) const {
    if (n < 0)
      hepad::detail::raise<format_error>(path, std::string(item), offset,
                                         hepad::detail::concat("negative record size ", n));
    if (offset < 0 || offset > src->size() || n > src->size() - offset)
      hepad::detail::raise<format_error>(path, std::string(item), offset,
                                         hepad::detail::concat("record of ", n,
                                                               " bytes runs past the end of the file (size ",
                                                               src->size(), ")"));
    std::vector<unsigned char> out(static_cast<std::size_t>(n));
    src->read(offset, out);
    return out;
  }

  /// Reads the record at `seek` (key header + object) and returns the uncompressed object bytes;
  /// `k` receives the key header read from the record itself.
  std::vector<unsigned char> read_record(std::int64_t seek, std::string_view item, key& k,
                                         std::int64_t nbytes_hint = 0) const {
    std::int64_t n = nbytes_hint;
    if (n <= 0) {
      // read the key header first to learn Nbytes
      const std::int64_t probe = (std::min)(src->size() - (std::max)(seek, std::int64_t{0}), std::int64_t{512});
      auto head = read(seek, (std::max)(probe, std::int64_t{0}), item);
      cursor c(head, origin{path, item, seek});
      n = c.i32();
    }
    auto rec = read(seek, n, item);
    cursor c(rec, origin{path, item, seek});
    k = read_key(c);
    if (k.nbytes != n)
      fail_at(c.where(), 0, hepad::detail::concat("key Nbytes ", k.nbytes, " disagrees with the expected ", n));
    if (k.nbytes < k.keylen)
      fail_at(c.where(), 0, hepad::detail::concat("key Nbytes ", k.nbytes, " is less than KeyLen ", k.keylen));
    std::span<const unsigned char> payload(rec.data() + k.keylen, rec.size() - static_cast<std::size_t>(k.keylen));
    if (!k.compressed()) return std::vector<unsigned char>(payload.begin(), payload.end());
    if (k.objlen > options.max_object_bytes)
      fail_at(c.where(), 0, hepad::detail::concat("object of ", k.objlen, " bytes exceeds the limit of ",
                                                  options.max_object_bytes, " bytes (decompress_options)"));
    std::vector<unsigned char> out(static_cast<std::size_t>(k.objlen));
    decompress(payload, out, origin{path, item, seek + k.keylen}, options);
    return out;
  }
};

/// Parses the file header of `st`.
inline file_header read_header(const file_state& st) {
  const std::int64_t n = (std::min)(st.src->size(), std::int64_t{128});
  auto b = st.read(0, n, "");
  cursor c(b, origin{st.path, "", 0});
  if (b.size() < 4 || std::memcmp(b.data(), "root", 4) != 0) c.fail("not a ROOT file (no \"root\" magic)");
  c.skip(4);
  file_header h;
  h.version = c.i32();
  h.begin = c.i32();
  const bool big = h.version >= 1000000;
  h.end = big ? c.i64() : c.i32();
  h.seek_free = big ? c.i64() : c.i32();
  h.nbytes_free = c.i32();
  h.n_free = c.i32();
  h.nbytes_name = c.i32();
  h.units = c.u8();
  h.compress = c.i32();
  h.seek_info = big ? c.i64() : c.i32();
  h.nbytes_info = c.i32();
  h.uuid_version = c.u16();
  auto u = c.take(16);
  std::copy(u.begin(), u.end(), h.uuid.begin());
  if (h.version <= 0 || h.begin < 0 || h.begin > st.src->size() || h.nbytes_name < 0 || h.end < h.begin)
    fail_at(c.where(), 4, hepad::detail::concat("bad file header (version ", h.version, ", fBEGIN ", h.begin,
                                                ", fEND ", h.end, ", fNbytesName ", h.nbytes_name, ")"));
  return h;
}

/// Reads a directory record at `offset` and returns its key list.
inline std::vector<key> read_directory(const file_state& st, std::int64_t offset, std::string_view item) {
  auto b = st.read(offset, (std::min)(std::int64_t{64}, st.src->size() - (std::max)(offset, std::int64_t{0})), item);
  cursor c(b, origin{st.path, item, offset});
  const std::int16_t version = c.i16();
  c.skip(8);  // ctime, mtime
  const std::int32_t nbytes_keys = c.i32();
  c.skip(4);  // nbytes_name
  std::int64_t seek_keys = 0;
  if (version > 1000) {
    c.skip(16);
    seek_keys = c.i64();
  } else {
    c.skip(8);
    seek_keys = c.i32();
  }
  if (seek_keys == 0) return {};
  auto rec = st.read(seek_keys, nbytes_keys, item);
  cursor k(rec, origin{st.path, item, seek_keys});
  const key own = read_key(k);
  k.seek(static_cast<std::size_t>(own.keylen));
  const std::int32_t n = k.i32();
  if (n < 0 || static_cast<std::size_t>(n) > k.remaining() / 26)
    k.fail(hepad::detail::concat("bad number of keys ", n));
  std::vector<key> keys;
  keys.reserve(static_cast<std::size_t>(n));
  for (std::int32_t i = 0; i < n; ++i) keys.push_back(read_key(k));
  return keys;
}

}  // namespace detail

/// A ROOT file opened for reading. A cheap, copyable handle; trees opened from it keep it alive.
class file {
 public:
  /// Opens `path` and reads the header and the top directory's key list.
  /// @throws hepad::io_error if it cannot be opened, hepad::format_error if it is not a valid ROOT file.
  explicit file(const std::filesystem::path& path, decompress_options options = {})
      : file(std::make_unique<detail::fd_source>(path), path.string(), options) {}

  /// A ROOT file held in memory (`name` is used in error messages).
  static file from_bytes(std::vector<unsigned char> bytes, std::string name = "<memory>",
                         decompress_options options = {}) {
    return file(std::make_unique<detail::memory_source>(std::move(bytes)), std::move(name), options);
  }

  [[nodiscard]] const std::string& path() const noexcept { return st_->path; }
  [[nodiscard]] const file_header& header() const noexcept { return st_->header; }
  [[nodiscard]] std::int64_t size() const noexcept { return st_->src->size(); }
  /// Keys of the top directory, in file order.
  [[nodiscard]] const std::vector<key>& keys() const noexcept { return keys_; }

  /// Keys of a directory given as "a/b" (empty: the top directory).
  /// @throws hepad::out_of_range if a path element is missing or is not a directory.
  [[nodiscard]] std::vector<key> keys(std::string_view dir) const {
    std::vector<key> ks = keys_;
    while (!dir.empty()) {
      const auto slash = dir.find('/');
      const std::string_view part = dir.substr(0, slash);
      const key& k = find_in(ks, part, dir);
      if (k.class_name != "TDirectory" && k.class_name != "TDirectoryFile")
        hepad::detail::raise<out_of_range>(hepad::detail::concat("file '", path(), "': '", part,
                                                                 "' is a ", k.class_name, ", not a directory"));
      ks = detail::read_directory(*st_, k.seek_key + k.keylen, part);
      dir = slash == std::string_view::npos ? std::string_view{} : dir.substr(slash + 1);
    }
    return ks;
  }

  /// The key named `name` (may be "dir/name"; a ";cycle" suffix selects a cycle, else the highest).
  /// @throws hepad::out_of_range naming the file and the key.
  [[nodiscard]] key get_key(std::string_view name) const {
    const auto slash = name.rfind('/');
    if (slash == std::string_view::npos) return find_in(keys_, name, name);
    const auto ks = keys(name.substr(0, slash));
    return find_in(ks, name.substr(slash + 1), name);
  }
  /// True if `name` exists (same syntax as get_key).
  [[nodiscard]] bool contains(std::string_view name) const {
    try {
      (void)get_key(name);
      return true;
    } catch (const out_of_range&) {
      return false;
    }
  }

  /// The uncompressed object bytes of the record of `k` (ObjLen bytes).
  [[nodiscard]] std::vector<unsigned char> read_object(const key& k) const {
    key own;
    return st_->read_record(k.seek_key, k.name, own, k.nbytes);
  }

  /// Internal: the shared state (used by tree.hpp).
  [[nodiscard]] const std::shared_ptr<const detail::file_state>& state() const noexcept { return st_; }

 private:
  file(std::unique_ptr<detail::source> src, std::string name, decompress_options options) {
    auto st = std::make_shared<detail::file_state>();
    st->path = std::move(name);
    st->src = std::move(src);
    st->options = options;
    st->header = detail::read_header(*st);
    keys_ = detail::read_directory(*st, st->header.begin + st->header.nbytes_name, "top directory");
    st_ = std::move(st);
  }

  const key& find_in(const std::vector<key>& ks, std::string_view name, std::string_view full) const {
    std::string_view base = name;
    int want_cycle = -1;
    if (const auto semi = name.find(';'); semi != std::string_view::npos) {
      base = name.substr(0, semi);
      want_cycle = 0;
      for (char ch : name.substr(semi + 1)) {
        if (ch < '0' || ch > '9') {
          want_cycle = -2;
          break;
        }
        want_cycle = want_cycle * 10 + (ch - '0');
        if (want_cycle > 32767) break;
      }
    }
    const key* best = nullptr;
    for (const auto& k : ks) {
      if (k.name != base) continue;
      if (want_cycle >= 0 ? k.cycle == want_cycle : (!best || k.cycle > best->cycle)) best = &k;
    }
    if (!best)
      hepad::detail::raise<out_of_range>(hepad::detail::concat("file '", path(), "': no key '", full, "'"));
    return *best;
  }

  std::shared_ptr<const detail::file_state> st_;
  std::vector<key> keys_;
};

}  // namespace hepad::io::root

#endif  // HEPAD_IO_ROOT_FILE_HPP
