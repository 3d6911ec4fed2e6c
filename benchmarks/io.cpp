// SPDX-License-Identifier: BSL-1.0
// COMPONENTS: parquet hdf5
// I/O benchmark: reading (and writing) a 10^6-event table of 8 float64 columns, an int64 label and a
// uint64 event number. The HDF5 file is the pandas "fixed" file made by tools/peers/io_peer.py (the
// Python peer, which times pandas.read_hdf and h5py on the same file) in $HEPAD_IO_BENCH_DIR
// (default /tmp/hepad_io_bench); without it, an equivalent file is written here with hepad's own
// writer (group layout). The Parquet, NPY and CSV files are written by hepad from the same table
// (tools/peers/io_peer_parquet.mjs times hyparquet and parquet-wasm on the Parquet files).
// Items processed = rows.
#include "support/bench_main.hpp"

#include <hepad/core/random.hpp>
#include <hepad/io/csv.hpp>
#include <hepad/io/hdf5.hpp>
#include <hepad/io/npy.hpp>
#include <hepad/io/parquet/reader.hpp>
#include <hepad/io/parquet/writer.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace io = hepad::io;
namespace pq = hepad::io::parquet;

namespace {

struct bench_files {
  fs::path dir;
  std::size_t rows = 0;
  io::record_batch table;
};

bench_files& files() {
  static bench_files f = [] {
    bench_files b;
    const long n = hepad_bench::size(1000000, 1000);
    const char* env = std::getenv("HEPAD_IO_BENCH_DIR");
    b.dir = hepad_bench::smoke ? fs::temp_directory_path() / "hepad_io_bench_smoke"
                               : fs::path(env ? env : "/tmp/hepad_io_bench");
    fs::create_directories(b.dir);
    const fs::path h5 = b.dir / "table.h5";
    bool have = fs::exists(h5);
    if (have) {
      try {
        have = io::hdf5_reader(h5, "df").n_rows() == static_cast<std::size_t>(n);
      } catch (const hepad::error&) {
        have = false;
      }
    }
    if (!have) {  // no peer file: an equivalent table from hepad's generator and writer
      hepad::rng r(1234);
      io::record_batch t;
      for (const char* name : {"mjj", "mj1", "mj2", "tau21_1", "tau21_2", "tau32_1", "tau32_2", "pt"}) {
        std::vector<double> v(static_cast<std::size_t>(n));
        for (auto& x : v) x = r.normal();
        t.add(io::make_column(name, std::move(v)));
      }
      std::vector<std::int64_t> label(static_cast<std::size_t>(n));
      std::vector<std::uint64_t> ev(static_cast<std::size_t>(n));
      for (std::size_t i = 0; i < ev.size(); ++i) {
        label[i] = static_cast<std::int64_t>(i % 2);
        ev[i] = (std::uint64_t{1} << 40) + i;
      }
      t.add(io::make_column("label", std::move(label))).add(io::make_column("event", std::move(ev)));
      io::write_hdf5_table(h5, "df", t);
    }
    b.table = io::read_hdf5_table(h5, "df");
    b.rows = b.table.n_rows();
    pq::write(b.dir / "table_uncompressed.parquet", b.table,
              {.compression = pq::compression::uncompressed, .dictionary = pq::dictionary_mode::off});
    pq::write(b.dir / "table_snappy.parquet", b.table, {.compression = pq::compression::snappy});
    pq::write(b.dir / "table_zstd.parquet", b.table, {.compression = pq::compression::zstd});
    io::write_npy(b.dir / "table.npy", b.table);
    io::write_csv(b.dir / "table.csv", b.table.slice(0, (std::min)(b.rows, std::size_t{100000})));
    return b;
  }();
  return f;
}

void hdf5_table(benchmark::State& st) {
  auto& f = files();
  for (auto _ : st) {
    auto t = io::read_hdf5_table(f.dir / "table.h5", "df");
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * f.rows));
}

void hdf5_chunked(benchmark::State& st) {
  auto& f = files();
  for (auto _ : st) {
    io::hdf5_reader r(f.dir / "table.h5", "df", {}, {.events = 65536});
    std::size_t n = 0;
    while (auto b = r.next()) n += b->n_rows();
    benchmark::DoNotOptimize(n);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * f.rows));
}

void parquet_read(benchmark::State& st, const char* file, int threads) {
  auto& f = files();
  for (auto _ : st) {
    auto t = pq::read(f.dir / file, {}, threads);
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * f.rows));
}

void parquet_chunked(benchmark::State& st) {
  auto& f = files();
  for (auto _ : st) {
    pq::reader r(f.dir / "table_snappy.parquet");
    r.select({}, {.events = 65536});
    std::size_t n = 0;
    while (auto b = r.next()) n += b->n_rows();
    benchmark::DoNotOptimize(n);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * f.rows));
}

void parquet_write(benchmark::State& st, pq::compression c) {
  auto& f = files();
  for (auto _ : st) pq::write(f.dir / "written.parquet", f.table, {.compression = c});
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * f.rows));
}

void npy_read(benchmark::State& st) {
  auto& f = files();
  for (auto _ : st) {
    auto t = io::to_record_batch(io::read_npy(f.dir / "table.npy"));
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * f.rows));
}

void csv_read(benchmark::State& st) {
  auto& f = files();
  const std::size_t n = (std::min)(f.rows, std::size_t{100000});
  for (auto _ : st) {
    auto t = io::read_csv(f.dir / "table.csv");
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
}

void register_all() {
  auto ms = [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMillisecond)->UseRealTime(); };
  ms(benchmark::RegisterBenchmark("hdf5/pandas_fixed/read_table", hdf5_table));
  ms(benchmark::RegisterBenchmark("hdf5/pandas_fixed/chunks_64k", hdf5_chunked));
  for (int threads : {1, 2}) {
    ms(benchmark::RegisterBenchmark(("parquet/read/uncompressed/threads:" + std::to_string(threads)).c_str(), parquet_read,
                                    "table_uncompressed.parquet", threads));
    ms(benchmark::RegisterBenchmark(("parquet/read/snappy/threads:" + std::to_string(threads)).c_str(), parquet_read,
                                    "table_snappy.parquet", threads));
    ms(benchmark::RegisterBenchmark(("parquet/read/zstd/threads:" + std::to_string(threads)).c_str(), parquet_read,
                                    "table_zstd.parquet", threads));
  }
  ms(benchmark::RegisterBenchmark("parquet/read/snappy/chunks_64k", parquet_chunked));
  ms(benchmark::RegisterBenchmark("parquet/write/snappy", parquet_write, pq::compression::snappy));
  ms(benchmark::RegisterBenchmark("parquet/write/zstd", parquet_write, pq::compression::zstd));
  ms(benchmark::RegisterBenchmark("npy/read_structured", npy_read));
  ms(benchmark::RegisterBenchmark("csv/read_100k_rows", csv_read));
}

}  // namespace

HEPAD_BENCHMARK_MAIN(register_all)
