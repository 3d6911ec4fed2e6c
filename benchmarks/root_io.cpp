// SPDX-License-Identifier: BSL-1.0
// COMPONENTS: root_io
// hepad::io::root reading throughput against the physical limit of the job: for each test file
// (one per codec), BM_decompress decompresses every basket of every branch from memory (the raw
// codec speed on exactly these baskets), BM_read reads every branch with tree_reader from the file
// (pread, page cache warm: I/O + decompression + offsets + byte swapping). Both report the
// uncompressed basket bytes per second; BM_read also events per second. Ratio read/decompress is
// the efficiency quoted in docs/performance.md.
#include "support/bench_main.hpp"

#include <hepad/io/root/file.hpp>
#include <hepad/io/root/tree.hpp>
#include <hepad/io/root/tree_reader.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace root = hepad::io::root;

namespace {

struct sample {
  const char* name;
  const char* path;  // relative to tests/data
  const char* tree;
};
const sample samples[] = {
    {"nano_dy_zlib", "nanoaod/nano_dy.root", "Events"},
    {"nano_dimuon_zlib", "nanoaod/nano_dimuon.root", "Events"},
    {"pfnano_lzma", "nanoaod/pfnano.root", "Events"},
    {"ttbar2015_zlib_embedded", "nanoaod/nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events"},
    {"zmumu_zlib", "root-extra/uproot-Zmumu-zlib.root", "events"},
    {"zmumu_lzma", "root-extra/uproot-Zmumu-lzma.root", "events"},
    {"zmumu_lz4", "root-extra/uproot-Zmumu-lz4.root", "events"},
    {"zmumu_zstd", "root-extra/uproot-Zmumu-zstd.root", "events"},
    {"zmumu_uncompressed", "root-extra/uproot-Zmumu-uncompressed.root", "events"},
    {"small_dy_offsets_zlib", "root-extra/uproot-small-dy-withoffsets.root", "tree"},
    {"small_dy_nooffsets_zlib", "root-extra/uproot-small-dy-nooffsets.root", "tree"},
};

std::string data_path(const char* rel) {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "data" / rel).string();
}

std::vector<std::string> readable(const root::tree& t) {
  std::vector<std::string> n;
  for (const auto& b : t.branches())
    if (b.unsupported.empty()) n.push_back(b.name);
  return n;
}

/// Compressed payloads (and uncompressed sizes) of every on-disk basket of the tree.
struct basket_payload {
  std::vector<unsigned char> bytes;
  std::size_t objlen;
  bool compressed;
};
std::vector<basket_payload> payloads(const root::file& f, const root::tree& t) {
  std::vector<basket_payload> out;
  for (const auto& b : t.branches())
    for (const auto& k : b.baskets) {
      if (k.embedded >= 0) continue;
      auto rec = f.state()->read(k.seek, k.bytes, b.name);
      root::detail::cursor c(rec, {f.path(), b.name, k.seek});
      const root::key key = root::detail::read_key(c);
      out.push_back({std::vector<unsigned char>(rec.begin() + key.keylen, rec.end()),
                     static_cast<std::size_t>(key.objlen), key.compressed()});
    }
  return out;
}

void bm_decompress(benchmark::State& state, const sample& s) {
  const root::file f(data_path(s.path));
  const root::tree t(f, s.tree);
  const auto ps = payloads(f, t);
  std::size_t total = 0, maxlen = 0;
  for (const auto& p : ps) {
    total += p.objlen;
    maxlen = (std::max)(maxlen, p.objlen);
  }
  std::vector<unsigned char> out(maxlen);
  for (auto _ : state) {
    for (const auto& p : ps) {
      if (p.compressed) root::decompress(p.bytes, std::span<unsigned char>(out.data(), p.objlen), {f.path(), "", 0});
      else std::memcpy(out.data(), p.bytes.data(), p.objlen);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total));
  state.counters["baskets"] = static_cast<double>(ps.size());
}

void bm_read(benchmark::State& state, const sample& s) {
  const root::file f(data_path(s.path));
  const root::tree t(f, s.tree);
  const auto names = readable(t);
  std::int64_t unc = 0;
  for (auto _ : state) {
    root::tree_reader r(t, names);
    auto cols = r.read({0, t.entries()});
    benchmark::DoNotOptimize(cols.data());
    unc = r.stats().bytes_uncompressed;
  }
  state.SetBytesProcessed(state.iterations() * unc);
  state.SetItemsProcessed(state.iterations() * t.entries());
  state.counters["branches"] = static_cast<double>(names.size());
}

// The same read into columns and a reader kept from pass to pass (`read_into`): what a loop over
// the chunks of a file costs per chunk, without per-pass allocation and reader construction.
void bm_read_reuse(benchmark::State& state, const sample& s) {
  const root::file f(data_path(s.path));
  const root::tree t(f, s.tree);
  const auto names = readable(t);
  root::tree_reader r(t, names);
  std::vector<root::column> cols;
  for (auto _ : state) {
    r.read_into({0, t.entries()}, cols);
    benchmark::DoNotOptimize(cols.data());
  }
  // the reader's statistics add up over the passes
  state.SetBytesProcessed(r.stats().bytes_uncompressed);
  state.SetItemsProcessed(state.iterations() * t.entries());
  state.counters["branches"] = static_cast<double>(names.size());
}

void register_all() {
  for (const auto& s : samples) {
    benchmark::RegisterBenchmark((std::string("BM_decompress/") + s.name).c_str(), bm_decompress, s)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("BM_read/") + s.name).c_str(), bm_read, s)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("BM_read_reuse/") + s.name).c_str(), bm_read_reuse, s)->Unit(benchmark::kMicrosecond);
    if (hepad_bench::smoke) break;
  }
}

}  // namespace

HEPAD_BENCHMARK_MAIN(register_all)
