// SPDX-License-Identifier: BSL-1.0
// COMPONENTS: root_io
// libFuzzer target for hepad::io::root: the input is a whole ROOT file. Opens it, lists the keys,
// opens every TTree, plans chunks by entries and by bytes and reads every readable branch. Any
// hepad::error is an expected outcome for corrupt input; anything else (crash, sanitizer report,
// other exception, leak) is a bug. Limits keep a lying header from asking for gigabytes.

#include <hepad/io/root/file.hpp>
#include <hepad/io/root/tree.hpp>
#include <hepad/io/root/tree_reader.hpp>

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace root = hepad::io::root;
  try {
    root::decompress_options opt;
    opt.max_object_bytes = 1 << 24;
    opt.lzma_memory_limit = 1 << 26;
    const root::file f = root::file::from_bytes(std::vector<unsigned char>(data, data + size), "fuzz.root", opt);
    for (const auto& k : f.keys()) {
      if (k.class_name != "TTree") continue;
      try {
        const root::tree t(f, k.name);
        std::vector<std::string> names;
        for (const auto& b : t.branches())
          if (b.unsupported.empty()) names.push_back(b.name);
        root::tree_reader r(t, names);
        if (t.entries() > 1000000) continue;  // plans/reads of a lying fEntries are cut short below
        for (const auto& rg : r.plan({.entries = 173})) (void)r.read(rg);
        root::tree_reader r2(t, names);
        for (const auto& rg : r2.plan({.entries = 100000, .bytes = 2048})) (void)r2.read(rg);
      } catch (const hepad::error&) {
      }
    }
  } catch (const hepad::error&) {
  }
  return 0;
}
