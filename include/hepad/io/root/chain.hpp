// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io
/// @file hepad/io/root/chain.hpp
/// @brief `hepad::io::root::chain`: reads the same branches from several files in sequence, in
/// memory-bounded chunks (`chunk_options`), opening each file only when it is reached and closing
/// it when done. Not here: parallel reading (the processing executors split the work items
/// themselves, see hepad/processing/).
///
/// Component `hepad::root_io`.
#ifndef HEPAD_IO_ROOT_CHAIN_HPP
#define HEPAD_IO_ROOT_CHAIN_HPP

#include <hepad/io/root/file.hpp>
#include <hepad/io/root/tree.hpp>
#include <hepad/io/root/tree_reader.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepad::io::root {

/// A file and the tree to read from it.
struct tree_location {
  std::string path;
  std::string tree = "Events";
};

/// One chunk delivered by a chain.
struct chunk {
  std::size_t file_index = 0;  ///< position of the file in the chain
  std::string path;
  entry_range range;           ///< entries of that file's tree
  std::vector<column> columns; ///< in the order of the chain's branch names
};

/// Sequential, lazy reader of several files.
class chain {
 public:
  chain(std::vector<tree_location> files, std::vector<std::string> branches, chunk_options opt = {})
      : files_(std::move(files)), branches_(std::move(branches)), opt_(opt) {}

  /// Reads the next chunk into `out`; returns false after the last one.
  /// @throws the errors of file, tree and tree_reader (naming the file, branch and offset).
  bool next(chunk& out) {
    for (;;) {
      if (reader_ && next_range_ < ranges_.size()) {
        out.file_index = file_;
        out.path = files_[file_].path;
        out.range = ranges_[next_range_++];
        out.columns = reader_->read(out.range);
        return true;
      }
      if (reader_) {
        reader_.reset();
        ++file_;
      }
      if (file_ >= files_.size()) return false;
      const file f(files_[file_].path);
      reader_.emplace(tree(f, files_[file_].tree), branches_);
      ranges_ = reader_->plan(opt_);
      next_range_ = 0;
    }
  }

  [[nodiscard]] const std::vector<tree_location>& files() const noexcept { return files_; }

 private:
  std::vector<tree_location> files_;
  std::vector<std::string> branches_;
  chunk_options opt_;
  std::size_t file_ = 0;
  std::optional<tree_reader> reader_;
  std::vector<entry_range> ranges_;
  std::size_t next_range_ = 0;
};

}  // namespace hepad::io::root

#endif  // HEPAD_IO_ROOT_CHAIN_HPP
