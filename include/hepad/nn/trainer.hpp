// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/trainer.hpp
/// @brief `nn::trainer<Optimizer, Schedule>`: trains ANY module on ANY scalar objective with
/// seeded mini-batching, a train/validation split, early stopping with restore of the
/// best-validation parameters, learning-rate schedules, gradient clipping, compile-time detected
/// callbacks, a terminal progress bar, NaN/inf detection (an error naming epoch and batch),
/// checkpoint/resume (bit-identical to an uninterrupted run) and deterministic data-parallel
/// training (identical weights for any number of threads).
///
/// Determinism: every mini-batch is split into `chunks` parts (a fixed number, independent of the
/// thread count); each part is forward/backward-ed on its own tape (in parallel), and the part
/// gradients are summed in part order. Every random draw comes from `r.split(...)` streams keyed by
/// (epoch, step, part), never by thread. The objective must therefore be a MEAN over the events of
/// its batch (each part's gradient is weighted by its share of events). Objectives that couple the
/// events of a batch (contrastive losses, batch norm) see parts of `batch_size / chunks` events;
/// set `chunks = 1` to give them whole batches.
#ifndef HEPAD_NN_TRAINER_HPP
#define HEPAD_NN_TRAINER_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/callback.hpp>
#include <hepad/core/concepts/module.hpp>
#include <hepad/core/concepts/optimizer.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/progress.hpp>
#include <hepad/core/random.hpp>
#include <hepad/core/result.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/detail/step_pool.hpp>
#include <hepad/nn/optim/adam.hpp>
#include <hepad/nn/optim/clip.hpp>
#include <hepad/nn/optim/schedule.hpp>
#include <hepad/nn/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::nn {

/// Progress record passed to callbacks.
struct epoch_info {
  std::int64_t epoch = 0;            ///< current epoch (0-based)
  std::int64_t step = 0;             ///< step within the epoch (on_step)
  std::int64_t steps_per_epoch = 0;
  double batch_loss = 0;             ///< loss of the last batch (on_step)
  double train_loss = 0;             ///< mean training loss of the epoch (so far, in on_step)
  double val_loss = std::numeric_limits<double>::quiet_NaN();  ///< NaN without validation data
  double learning_rate = 0;
  double best_val_loss = std::numeric_limits<double>::quiet_NaN();
  std::int64_t best_epoch = -1;
  std::int64_t epochs_without_improvement = 0;
};

/// What a training run did.
struct history {
  std::vector<double> train_loss;     ///< per epoch, mean over training events
  std::vector<double> val_loss;       ///< per epoch (empty without validation data)
  std::vector<double> learning_rate;  ///< at the last step of each epoch
  std::int64_t best_epoch = -1;       ///< epoch with the lowest validation loss (-1 without validation)
  double best_val_loss = std::numeric_limits<double>::quiet_NaN();
  std::int64_t epochs_run = 0;        ///< epochs completed (including resumed ones)
  std::int64_t start_epoch = 0;       ///< first epoch run by this call (> 0 when resumed)
  bool stopped_early = false;         ///< early stopping triggered
  bool stopped_by_callback = false;
  bool restored_best = false;         ///< the best-validation parameters were put back
  hepad::status status = hepad::status::success;
};

namespace detail {

template <class T>
inline constexpr bool always_false = false;

/// Evaluates an objective: `obj(tape, model, batch)`, or a loss `obj(model.forward(x), batch)`.
template <class S, class M, class Obj>
inline autodiff::node<S> evaluate_objective(Obj& obj, autodiff::tape<S>& t, M& m, const batch<S>& b) {
  if constexpr (requires { { obj(t, m, b) } -> std::same_as<autodiff::node<S>>; }) {
    return obj(t, m, b);
  } else if constexpr (requires(autodiff::node<S> p) { { obj(p, b) } -> std::same_as<autodiff::node<S>>; }) {
    return obj(m.forward(t, b.features(t)), b);
  } else {
    static_assert(always_false<Obj>,
                  "nn::trainer::fit: the objective must be callable as obj(tape, model, batch) or as a loss "
                  "obj(prediction, batch), returning autodiff::node<S> (see docs/concepts/loss.md)");
    return {};
  }
}

/// Owned contiguous copy of selected rows of training data.
template <class S>
struct owned_data {
  matrix<S> x, y, c;
  vector<S> w;
  training_data<S> view() const { return make_data(x, y, w, c); }
};

template <class S>
inline owned_data<S> gather_rows(const training_data<S>& d, const std::vector<index_t>& rows) {
  owned_data<S> o;
  const auto n = static_cast<index_t>(rows.size());
  o.x.resize(n, d.x.cols());
  if (d.y.cols() > 0) o.y.resize(n, d.y.cols());
  if (d.w.size() > 0) o.w.resize(n);
  if (d.c.cols() > 0) o.c.resize(n, d.c.cols());
  for (index_t i = 0; i < n; ++i) {
    const index_t r = rows[static_cast<std::size_t>(i)];
    o.x.row(i) = d.x.row(r);
    if (o.y.size() > 0) o.y.row(i) = d.y.row(r);
    if (o.w.size() > 0) o.w(i) = d.w(r);
    if (o.c.size() > 0) o.c.row(i) = d.c.row(r);
  }
  return o;
}

template <class C>
inline bool run_hook_begin(C& c, const epoch_info& i) {
  if constexpr (requires { c.on_begin(i); }) return hepad::detail::call_hook([&] { return c.on_begin(i); });
  else return false;
}
template <class C>
inline bool run_hook_epoch_begin(C& c, const epoch_info& i) {
  if constexpr (requires { c.on_epoch_begin(i); }) return hepad::detail::call_hook([&] { return c.on_epoch_begin(i); });
  else return false;
}
template <class C>
inline bool run_hook_step(C& c, const epoch_info& i) {
  if constexpr (requires { c.on_step(i); }) return hepad::detail::call_hook([&] { return c.on_step(i); });
  else return false;
}
template <class C>
inline bool run_hook_epoch_end(C& c, const epoch_info& i) {
  if constexpr (requires { c.on_epoch_end(i); }) return hepad::detail::call_hook([&] { return c.on_epoch_end(i); });
  else return false;
}
template <class C>
inline bool run_hook_end(C& c, const epoch_info& i) {
  if constexpr (requires { c.on_end(i); }) return hepad::detail::call_hook([&] { return c.on_end(i); });
  else return false;
}
template <class C>
inline constexpr bool has_step_hook = requires(C& c, const epoch_info& i) { c.on_step(i); };

inline constexpr std::uint32_t checkpoint_format_version = 1;

}  // namespace detail

/// Trainer configuration and driver.
/// @tparam Optimizer a `gradient_optimizer` config (adam, adamw, sgd).
/// @tparam Schedule a learning-rate schedule (optim/schedule.hpp).
template <class Optimizer = adam, class Schedule = constant_lr>
struct trainer {
  std::int64_t epochs = 10;            ///< maximum number of epochs
  index_t batch_size = 256;            ///< events per optimizer step (the last batch may be smaller)
  double validation_fraction = 0.0;    ///< held out from the training data (seeded) when no
                                       ///< explicit validation data is given
  std::int64_t patience = 0;           ///< early stopping after this many epochs without a
                                       ///< validation improvement > min_delta (0: off)
  double min_delta = 0.0;
  bool restore_best = true;            ///< put back the best-validation parameters at the end
  std::int64_t chunks = 2;             ///< fixed parts per batch (parallel and deterministic)
  int threads = 0;                     ///< threads (0: hepad::default_threads(), i.e. HEPAD_THREADS)
  bool shuffle = true;                 ///< reshuffle the training events every epoch
  double clip_grad_norm = 0.0;         ///< global gradient-norm clipping (0: off)
  index_t eval_batch_size = 4096;      ///< events per part when computing the validation loss
  bool progress = true;                ///< progress bar (drawn only on a terminal)
  std::string checkpoint_path{};       ///< write a checkpoint here after every `checkpoint_every`
                                       ///< epochs (empty: none)
  std::int64_t checkpoint_every = 1;
  bool resume = true;                  ///< continue from `checkpoint_path` if it exists
  Optimizer optimizer{};
  Schedule schedule{};

  static constexpr std::string_view name = "trainer";
  static constexpr auto fields() {
    return std::tuple{config::field{"epochs", &trainer::epochs},
                      config::field{"batch_size", &trainer::batch_size},
                      config::field{"validation_fraction", &trainer::validation_fraction},
                      config::field{"patience", &trainer::patience},
                      config::field{"min_delta", &trainer::min_delta},
                      config::field{"restore_best", &trainer::restore_best},
                      config::field{"chunks", &trainer::chunks},
                      config::field{"threads", &trainer::threads},
                      config::field{"shuffle", &trainer::shuffle},
                      config::field{"clip_grad_norm", &trainer::clip_grad_norm},
                      config::field{"eval_batch_size", &trainer::eval_batch_size},
                      config::field{"progress", &trainer::progress},
                      config::field{"checkpoint_path", &trainer::checkpoint_path},
                      config::field{"checkpoint_every", &trainer::checkpoint_every},
                      config::field{"resume", &trainer::resume},
                      config::field{"optimizer", &trainer::optimizer},
                      config::field{"schedule", &trainer::schedule}};
  }

  /// Trains `model` on `train`, holding out `validation_fraction` of it for validation.
  /// @param objective `obj(tape, model, batch) -> node` (mean over the batch's events) or a loss
  /// policy `loss(prediction, batch) -> node` applied to `model.forward(batch features)`.
  /// @param r generator: every random draw of the run comes from `r.split(...)` (its position is
  /// not used), so the same seed gives the same run for any thread count.
  /// @throws invalid_argument for bad settings or data; numerical_error (naming the epoch and
  /// batch) if the training loss becomes NaN or infinite; io_error/format_error for checkpoints.
  template <class M, class Obj, class... Callbacks>
  history fit(M& model, Obj&& objective, const training_data<typename M::scalar_type>& train, rng& r,
              Callbacks&&... callbacks) const {
    static_assert(module<M>, "nn::trainer::fit: the model must model hepad::module (forward(tape, node) and "
                             "parameters()); see docs/concepts/module.md");
    using S = typename M::scalar_type;
    train.validate("nn::trainer::fit");
    check_in_range("nn::trainer::fit", "validation_fraction", validation_fraction, 0.0, 0.9);
    if (validation_fraction > 0) {
      const index_t n = train.size();
      const auto n_val = static_cast<index_t>(std::llround(validation_fraction * static_cast<double>(n)));
      if (n_val < 1 || n_val >= n)
        throw_invalid_argument("nn::trainer::fit",
                               hepad::detail::concat("validation_fraction ", validation_fraction, " of ", n,
                                                     " events leaves an empty training or validation set"));
      rng split = r.split(0x5e11);
      auto perm = split.permutation(n);
      std::vector<index_t> val_rows(perm.begin(), perm.begin() + n_val);
      std::vector<index_t> train_rows(perm.begin() + n_val, perm.end());
      std::sort(val_rows.begin(), val_rows.end());
      std::sort(train_rows.begin(), train_rows.end());
      const auto val = detail::gather_rows(train, val_rows);
      const auto tr = detail::gather_rows(train, train_rows);
      const training_data<S> val_view = val.view(), train_view = tr.view();
      return run<S>(model, objective, train_view, &val_view, r, callbacks...);
    }
    return run<S>(model, objective, train, nullptr, r, callbacks...);
  }

  /// Trains `model` on `train` with the explicit validation set `validation`.
  template <class M, class Obj, class... Callbacks>
  history fit(M& model, Obj&& objective, const training_data<typename M::scalar_type>& train,
              const training_data<typename M::scalar_type>& validation, rng& r, Callbacks&&... callbacks) const {
    static_assert(module<M>, "nn::trainer::fit: the model must model hepad::module (forward(tape, node) and "
                             "parameters()); see docs/concepts/module.md");
    using S = typename M::scalar_type;
    train.validate("nn::trainer::fit");
    validation.validate("nn::trainer::fit (validation)");
    return run<S>(model, objective, train, &validation, r, callbacks...);
  }

  /// Mean objective of `model` over `data` in evaluation mode (no gradients), in parts of
  /// `eval_batch_size` events summed in a fixed order.
  template <class M, class Obj>
  double evaluate(M& model, Obj&& objective, const training_data<typename M::scalar_type>& data, rng& r) const {
    using S = typename M::scalar_type;
    data.validate("nn::trainer::evaluate");
    std::vector<std::unique_ptr<autodiff::tape<S>>> tapes;
    detail::step_pool pool(pool_threads());
    return evaluate_impl<S>(model, objective, data, pool, tapes, r.split(0xe7a1), "nn::trainer::evaluate", -1);
  }

 private:
  int pool_threads() const {
    const int t = threads > 0 ? threads : default_threads();
    return static_cast<int>((std::max<std::int64_t>)(1, (std::min<std::int64_t>)(t, chunks)));
  }

  template <class S, class M, class Obj>
  double evaluate_impl(M& model, Obj& objective, const training_data<S>& data, detail::step_pool& pool,
                       std::vector<std::unique_ptr<autodiff::tape<S>>>& tapes, rng base, std::string_view fn,
                       std::int64_t epoch) const {
    check_positive(fn, "eval_batch_size", eval_batch_size);
    const batch<S> all = as_batch(data);
    const index_t n = data.size();
    const index_t parts = (n + eval_batch_size - 1) / eval_batch_size;
    const auto width = static_cast<index_t>((std::max<std::int64_t>)(1, chunks));
    while (static_cast<index_t>(tapes.size()) < width) tapes.push_back(std::make_unique<autodiff::tape<S>>());
    std::vector<double> part_loss(static_cast<std::size_t>(parts));
    for (index_t round = 0; round < parts; round += width) {
      const index_t cnt = (std::min)(width, parts - round);
      pool.run(cnt, [&](std::int64_t c) {
        const index_t part = round + c;
        auto& t = *tapes[static_cast<std::size_t>(c)];
        t.reset();
        t.set_training(false);
        t.set_random(base.split(static_cast<std::uint64_t>(part)));
        typename autodiff::tape<S>::no_grad_guard ng(t);
        const index_t lo = part * eval_batch_size;
        const index_t m = (std::min)(eval_batch_size, n - lo);
        const auto l = detail::evaluate_objective<S>(objective, t, model, all.slice(lo, m));
        part_loss[static_cast<std::size_t>(part)] = static_cast<double>(l.item()) * static_cast<double>(m);
      });
    }
    double s = 0;
    for (index_t p = 0; p < parts; ++p) {
      const double v = part_loss[static_cast<std::size_t>(p)];
      if (!std::isfinite(v))
        hepad::detail::raise<numerical_error>(hepad::detail::concat(
            fn, ": non-finite validation loss (", v / static_cast<double>((std::min)(eval_batch_size, n - p * eval_batch_size)),
            ")", epoch >= 0 ? hepad::detail::concat(" at epoch ", epoch) : std::string(), " in events [",
            p * eval_batch_size, ", ", (std::min)(n, (p + 1) * eval_batch_size), ")"));
      s += v;
    }
    return s / static_cast<double>(n);
  }

  // --- checkpoint ---------------------------------------------------------------------------------
  template <class S>
  struct run_state {
    std::int64_t next_epoch = 0;
    typename Schedule::state sched{};
    double best_val = std::numeric_limits<double>::infinity();
    std::int64_t best_epoch = -1;
    std::int64_t bad_epochs = 0;
    std::vector<matrix<S>> best_params, best_buffers;
    history hist;
  };

  template <class S, class M, class Opt>
  void write_checkpoint(M& model, const Opt& opt_state, const run_state<S>& st, index_t n_train,
                        const rng& r) const {
    detail::byte_writer w;
    w.put_bytes("HEPADCK", 8);
    w.put(detail::checkpoint_format_version);
    w.put(static_cast<std::uint32_t>(sizeof(S)));
    w.put(r.seed());
    w.put(r.stream());
    detail::byte_writer mod;
    detail::write_module(mod, model);
    w.put_blob(mod.bytes());
    w.put(static_cast<std::int64_t>(n_train));
    w.put(static_cast<std::int64_t>(batch_size));
    w.put(static_cast<std::int64_t>(chunks));
    w.put(st.next_epoch);
    w.put_blob(opt_state.save());
    static_assert(std::is_trivially_copyable_v<typename Schedule::state>);
    w.put(st.sched);
    w.put(st.best_val);
    w.put(st.best_epoch);
    w.put(st.bad_epochs);
    w.put(static_cast<std::uint64_t>(st.best_params.size()));
    for (const auto& p : st.best_params) w.put_matrix(p);
    w.put(static_cast<std::uint64_t>(st.best_buffers.size()));
    for (const auto& b : st.best_buffers) w.put_matrix(b);
    const auto put_vec = [&](const std::vector<double>& v) {
      w.put(static_cast<std::uint64_t>(v.size()));
      w.put_bytes(v.data(), v.size() * sizeof(double));
    };
    put_vec(st.hist.train_loss);
    put_vec(st.hist.val_loss);
    put_vec(st.hist.learning_rate);
    detail::write_checksummed(checkpoint_path, w.bytes());
  }

  template <class S, class M, class Opt>
  void read_checkpoint(M& model, Opt& opt_state, run_state<S>& st, index_t n_train, const rng& gen) const {
    const auto bytes = detail::read_whole_file(checkpoint_path);
    const std::size_t n = detail::verify_checksum(checkpoint_path, bytes);
    detail::byte_reader r(bytes.data(), n, "nn::trainer checkpoint");
    const auto fail = [&](std::string_view item, const std::string& what) {
      hepad::detail::raise<format_error>(checkpoint_path, std::string(item), static_cast<std::int64_t>(r.offset()),
                                         what);
    };
    try {
      char magic[8];
      r.get_bytes(magic, 8);
      if (std::string_view(magic, 7) != "HEPADCK") fail("", "not a hepad trainer checkpoint (bad magic)");
      if (r.get<std::uint32_t>() != detail::checkpoint_format_version) fail("version", "unsupported checkpoint version");
      if (r.get<std::uint32_t>() != sizeof(S)) fail("scalar", "checkpoint scalar type differs from the model's");
      const auto seed = r.get<std::uint64_t>(), stream = r.get<std::uint64_t>();
      if (seed != gen.seed() || stream != gen.stream())
        fail("rng", hepad::detail::concat("the checkpoint was written by a run with generator seed ", seed, " stream ",
                                          stream, "; resume with the same generator (this run: seed ", gen.seed(),
                                          " stream ", gen.stream(), ")"));
      const auto mod = r.get_blob();
      detail::byte_reader mr(mod, "nn::trainer checkpoint module");
      detail::read_module(mr, model, checkpoint_path);
      const auto nt = r.get<std::int64_t>(), bs = r.get<std::int64_t>(), ch = r.get<std::int64_t>();
      if (nt != n_train || bs != batch_size || ch != chunks)
        fail("settings", hepad::detail::concat("the checkpoint was written for ", nt, " training events, batch_size ", bs,
                                               " and chunks ", ch, "; this run has ", n_train, ", ", batch_size,
                                               " and ", chunks));
      st.next_epoch = r.get<std::int64_t>();
      opt_state.load(r.get_blob());
      st.sched = r.get<typename Schedule::state>();
      st.best_val = r.get<double>();
      st.best_epoch = r.get<std::int64_t>();
      st.bad_epochs = r.get<std::int64_t>();
      st.best_params.resize(static_cast<std::size_t>(r.get<std::uint64_t>()));
      for (auto& p : st.best_params) p = r.get_matrix<S>();
      st.best_buffers.resize(static_cast<std::size_t>(r.get<std::uint64_t>()));
      for (auto& b : st.best_buffers) b = r.get_matrix<S>();
      const auto get_vec = [&](std::vector<double>& v) {
        const auto k = r.get<std::uint64_t>();
        if (k > r.remaining() / sizeof(double)) r.fail("history length exceeds the file");
        v.resize(static_cast<std::size_t>(k));
        r.get_bytes(v.data(), v.size() * sizeof(double));
      };
      get_vec(st.hist.train_loss);
      get_vec(st.hist.val_loss);
      get_vec(st.hist.learning_rate);
    } catch (const invalid_argument& e) {
      fail("", e.what());
    }
  }

  // --- the training loop ------------------------------------------------------------------------
  template <class S, class M, class Obj, class... Callbacks>
  history run(M& model, Obj& objective, const training_data<S>& train, const training_data<S>* val, rng& r,
              Callbacks&... callbacks) const {
    static_assert(gradient_optimizer<Optimizer, S>,
                  "nn::trainer: Optimizer must model hepad::gradient_optimizer (see docs/concepts/optimizer.md)");
    constexpr std::string_view fn = "nn::trainer::fit";
    check_positive(fn, "epochs", epochs);
    check_positive(fn, "batch_size", batch_size);
    check_positive(fn, "chunks", chunks);
    check_nonnegative(fn, "patience", patience);
    check_nonnegative(fn, "clip_grad_norm", clip_grad_norm);
    check_positive(fn, "checkpoint_every", checkpoint_every);
    check_positive(fn, "learning_rate", optimizer.learning_rate);
    auto params = model.parameters();
    if (params.empty()) throw_invalid_argument(fn, "the model has no parameters");
    auto buffers = detail::buffers_of(model);
    typename Optimizer::template state<S> opt_state(optimizer, params);

    const index_t n = train.size();
    const index_t steps = (n + batch_size - 1) / batch_size;
    detail::step_pool pool(pool_threads());
    std::vector<std::unique_ptr<autodiff::tape<S>>> tapes;
    for (std::int64_t c = 0; c < chunks; ++c) tapes.push_back(std::make_unique<autodiff::tape<S>>());

    // Parameter groups of about equal size, one per thread, for the parallel reduction and update:
    // group g = parameters [groups[g], groups[g + 1]).
    std::vector<std::size_t> groups{0};
    {
      std::size_t total = 0;
      for (auto* p : params) total += static_cast<std::size_t>(p->size());
      const auto nt = static_cast<std::size_t>(pool.size());
      std::size_t acc = 0;
      for (std::size_t k = 0; k < params.size(); ++k) {
        acc += static_cast<std::size_t>(params[k]->size());
        if (groups.size() < nt && acc * nt >= total * groups.size() && k + 1 < params.size()) groups.push_back(k + 1);
      }
      groups.push_back(params.size());
    }

    run_state<S> st;
    st.hist.start_epoch = 0;
    const bool checkpointing = !checkpoint_path.empty();
    if (checkpointing && resume && std::filesystem::exists(checkpoint_path)) {
      read_checkpoint(model, opt_state, st, n, r);
      st.hist.start_epoch = st.next_epoch;
    }

    // Batch buffers (allocated once).
    const index_t dx = train.x.cols(), dy = train.y.cols(), dc = train.c.cols();
    const bool has_w = train.w.size() > 0;
    matrix<S> bx(batch_size, dx), by(batch_size, dy), bc(batch_size, dc);
    vector<S> bw(has_w ? batch_size : 0);
    std::vector<index_t> order(static_cast<std::size_t>(n));
    std::vector<double> chunk_loss(static_cast<std::size_t>(chunks));
    std::vector<index_t> chunk_lo(static_cast<std::size_t>(chunks)), chunk_n(static_cast<std::size_t>(chunks));

    progress_bar bar("training", epochs * steps, progress && progress_default_enabled());
    epoch_info info;
    info.steps_per_epoch = steps;
    bool stop = false;
    if (st.next_epoch == 0) stop = (false || ... || detail::run_hook_begin(callbacks, info));

    const rng shuffle_base = r.split(1), tape_base = r.split(2), eval_base = r.split(3);
    if (val && patience > 0 && st.bad_epochs >= patience) {  // resumed after early stopping
      st.hist.stopped_early = true;
      stop = true;
    }
    double lr = optimizer.learning_rate;
    for (std::int64_t epoch = st.next_epoch; epoch < epochs && !stop; ++epoch) {
      info.epoch = epoch;
      stop = (false || ... || detail::run_hook_epoch_begin(callbacks, info));
      if (stop) break;
      for (index_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
      if (shuffle) {
        rng sr = shuffle_base.split(static_cast<std::uint64_t>(epoch));
        sr.shuffle(order);
      }
      const rng epoch_tape = tape_base.split(static_cast<std::uint64_t>(epoch));
      double epoch_sum = 0;
      for (index_t step = 0; step < steps; ++step) {
        const index_t lo = step * batch_size;
        const index_t m = (std::min)(batch_size, n - lo);
        // Rows [i0, i1) of the batch are gathered by the part that uses them (in the parallel
        // section below): disjoint writes, and no serial copy before the section.
        const auto gather = [&](index_t i0, index_t i1) {
          const auto copy_row = [](S* dst, const S* src, index_t w) {
            for (index_t j = 0; j < w; ++j) dst[j] = src[j];  // short rows: no memcpy call per row
          };
          for (index_t i = i0; i < i1; ++i) {
            const index_t row = order[static_cast<std::size_t>(lo + i)];
            copy_row(bx.data() + i * dx, train.x.data() + row * dx, dx);
            if (dy > 0) copy_row(by.data() + i * dy, train.y.data() + row * dy, dy);
            if (dc > 0) copy_row(bc.data() + i * dc, train.c.data() + row * dc, dc);
            if (has_w) bw(i) = train.w(row);
          }
        };
        batch<S> b;
        b.x = bx.data();
        b.dx = dx;
        if (dy > 0) {
          b.y = by.data();
          b.dy = dy;
        }
        if (dc > 0) {
          b.c = bc.data();
          b.dc = dc;
        }
        if (has_w) b.w = bw.data();
        b.n = m;
        b.epoch = epoch;
        b.step = step;
        // Fixed parts: [m c / C, m (c + 1) / C).
        std::int64_t parts = 0;
        for (std::int64_t c = 0; c < chunks; ++c) {
          const index_t a = m * c / chunks, e = m * (c + 1) / chunks;
          if (e > a) {
            chunk_lo[static_cast<std::size_t>(parts)] = a;
            chunk_n[static_cast<std::size_t>(parts)] = e - a;
            ++parts;
          }
        }
        const rng step_rng = epoch_tape.split(static_cast<std::uint64_t>(step));
        pool.run(parts, [&](std::int64_t c) {
          const auto cu = static_cast<std::size_t>(c);
          gather(chunk_lo[cu], chunk_lo[cu] + chunk_n[cu]);
          auto& t = *tapes[cu];
          t.reset();
          t.set_training(true);
          t.set_grad_enabled(true);
          t.set_random(step_rng.split(static_cast<std::uint64_t>(c)));
          const auto l = detail::evaluate_objective<S>(objective, t, model, b.slice(chunk_lo[cu], chunk_n[cu]));
          if (l.rows() != 1 || l.cols() != 1)
            throw_invalid_argument(fn, hepad::detail::concat("the objective must return a 1 x 1 node, got ", l.rows(),
                                                             " x ", l.cols()));
          const S v = l.item();
          chunk_loss[cu] = static_cast<double>(v);
          if (std::isfinite(v)) t.backward(l, static_cast<S>(static_cast<double>(chunk_n[cu]) / static_cast<double>(m)));
        });
        double batch_loss = 0;
        for (std::int64_t c = 0; c < parts; ++c) {
          const double v = chunk_loss[static_cast<std::size_t>(c)];
          if (!std::isfinite(v))
            hepad::detail::raise<numerical_error>(hepad::detail::concat(
                fn, ": non-finite training loss (", v, ") at epoch ", epoch, ", batch ", step, " of ", steps,
                " (events ", lo + chunk_lo[static_cast<std::size_t>(c)], " to ",
                lo + chunk_lo[static_cast<std::size_t>(c)] + chunk_n[static_cast<std::size_t>(c)],
                " of the shuffled epoch); lower the learning rate, check the inputs for NaN/inf, or clip gradients"));
          batch_loss += v * static_cast<double>(chunk_n[static_cast<std::size_t>(c)]) / static_cast<double>(m);
        }
        for (std::int64_t c = 0; c < parts; ++c) tapes[static_cast<std::size_t>(c)]->commit();  // e.g. BN statistics
        const schedule_position pos{epoch, step, steps};
        lr = schedule.learning_rate(st.sched, optimizer.learning_rate, pos);
        // Gradient = sum of the part gradients in part order; then the update. Without clipping,
        // both run on disjoint parameter groups in parallel (each element's arithmetic is the same).
        const auto reduce = [&](std::size_t k0, std::size_t k1) {
          for (std::size_t k = k0; k < k1; ++k) {
            auto& p = *params[k];
            const auto n_el = static_cast<std::size_t>(p.grad.size());
            S* g = p.grad.data();
            for (std::int64_t c = 0; c < parts; ++c) {
              const S* src = tapes[static_cast<std::size_t>(c)]->parameter_grad_data(p);
              if (c == 0) {
                if (src) std::memcpy(g, src, n_el * sizeof(S));
                else std::fill_n(g, n_el, S(0));
              } else if (src) {
                for (std::size_t e = 0; e < n_el; ++e) g[e] += src[e];
              }
            }
          }
        };
        constexpr bool ranged = requires(typename Optimizer::template state<S>& o) {
          o.begin_step();
          o.step_range(1.0, std::size_t{0}, std::size_t{1});
        };
        if constexpr (ranged) {
          if (clip_grad_norm == 0 && groups.size() > 2) {
            opt_state.begin_step();
            pool.run(static_cast<std::int64_t>(groups.size() - 1), [&](std::int64_t gi) {
              const auto k0 = groups[static_cast<std::size_t>(gi)], k1 = groups[static_cast<std::size_t>(gi) + 1];
              reduce(k0, k1);
              opt_state.step_range(lr, k0, k1);
            });
          } else {
            reduce(0, params.size());
            if (clip_grad_norm > 0)
              nn::clip_grad_norm(std::span<autodiff::parameter<S>* const>(params.data(), params.size()), clip_grad_norm);
            opt_state.step(lr);
          }
        } else {
          reduce(0, params.size());
          if (clip_grad_norm > 0)
            nn::clip_grad_norm(std::span<autodiff::parameter<S>* const>(params.data(), params.size()), clip_grad_norm);
          opt_state.step(lr);
        }
        epoch_sum += batch_loss * static_cast<double>(m);
        if constexpr ((false || ... || detail::has_step_hook<std::remove_reference_t<Callbacks>>)) {
          info.step = step;
          info.batch_loss = batch_loss;
          info.train_loss = epoch_sum / static_cast<double>(lo + m);
          info.learning_rate = lr;
          stop = (false || ... || detail::run_hook_step(callbacks, info));
        }
        if (bar.enabled()) bar.update(epoch * steps + step + 1, hepad::detail::concat("loss ", batch_loss));
        if (stop) break;
      }
      if (stop) break;  // a step hook asked to stop: the epoch is not recorded
      const double train_loss = epoch_sum / static_cast<double>(n);
      double val_loss = std::numeric_limits<double>::quiet_NaN();
      if (val)
        val_loss = evaluate_impl<S>(model, objective, *val, pool, tapes, eval_base.split(static_cast<std::uint64_t>(epoch)),
                                    fn, epoch);
      if constexpr (requires(typename Schedule::state& s) { schedule.observe(s, 1.0); })
        schedule.observe(st.sched, val ? val_loss : train_loss);
      st.hist.train_loss.push_back(train_loss);
      if (val) st.hist.val_loss.push_back(val_loss);
      st.hist.learning_rate.push_back(lr);
      if (val) {
        if (val_loss < st.best_val - min_delta) {
          st.best_val = val_loss;
          st.best_epoch = epoch;
          st.bad_epochs = 0;
          st.best_params.resize(params.size());
          for (std::size_t k = 0; k < params.size(); ++k) st.best_params[k] = params[k]->value;
          st.best_buffers.resize(buffers.size());
          for (std::size_t k = 0; k < buffers.size(); ++k) st.best_buffers[k] = *buffers[k];
        } else {
          ++st.bad_epochs;
        }
      }
      st.next_epoch = epoch + 1;
      if (checkpointing && (st.next_epoch % checkpoint_every == 0 || st.next_epoch == epochs))
        write_checkpoint(model, opt_state, st, n, r);
      info.train_loss = train_loss;
      info.val_loss = val_loss;
      info.learning_rate = lr;
      info.best_val_loss = st.best_epoch >= 0 ? st.best_val : std::numeric_limits<double>::quiet_NaN();
      info.best_epoch = st.best_epoch;
      info.epochs_without_improvement = st.bad_epochs;
      if ((false || ... || detail::run_hook_epoch_end(callbacks, info))) {
        stop = true;
        st.hist.stopped_by_callback = true;
      }
      if (val && patience > 0 && st.bad_epochs >= patience) {
        st.hist.stopped_early = true;
        break;
      }
    }
    if (stop && !st.hist.stopped_early) st.hist.stopped_by_callback = true;
    if (st.hist.stopped_early) st.hist.stopped_by_callback = false;
    bar.finish();
    if (val && restore_best && st.best_epoch >= 0 && st.best_params.size() == params.size()) {
      for (std::size_t k = 0; k < params.size(); ++k) params[k]->value = st.best_params[k];
      for (std::size_t k = 0; k < buffers.size() && k < st.best_buffers.size(); ++k) *buffers[k] = st.best_buffers[k];
      st.hist.restored_best = true;
    }
    st.hist.best_epoch = st.best_epoch;
    st.hist.best_val_loss = st.best_epoch >= 0 ? st.best_val : std::numeric_limits<double>::quiet_NaN();
    st.hist.epochs_run = st.next_epoch;
    st.hist.status = st.hist.stopped_by_callback ? hepad::status::stopped_by_callback : hepad::status::success;
    (void)(false || ... || detail::run_hook_end(callbacks, info));
    return st.hist;
  }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_TRAINER_HPP
