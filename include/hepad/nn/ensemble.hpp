// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/ensemble.hpp
/// @brief `nn::ensemble<Member>`: K copies of a classifier configuration trained with independent
/// seeds (member k draws everything from `r.split(k)`), scores averaged. For probabilistic members
/// the ensemble probability is the mean of the members' probabilities and its logit is computed
/// from the members' logits without overflow: logit = log sum_k s(z_k) - log sum_k s(-z_k).
#ifndef HEPAD_NN_ENSEMBLE_HPP
#define HEPAD_NN_ENSEMBLE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/classifier.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::nn {

/// Ensemble of `n_members` classifiers configured like `prototype`.
/// @tparam Member a classifier config/model (e.g. `mlp_classifier<>`), copied per member.
template <class Member>
struct ensemble {
  using scalar_type = typename Member::scalar_type;
  using S = scalar_type;

  Member prototype{};          ///< configuration of every member
  std::int64_t n_members = 10;
  std::vector<Member> members{};  ///< fitted members

  static constexpr std::string_view name = "ensemble";
  static constexpr auto fields() {
    return std::tuple{config::field{"prototype", &ensemble::prototype}, config::field{"n_members", &ensemble::n_members}};
  }

  /// Fits every member on (x, y) with its own stream `r.split(k)`.
  void fit(matrix_cref<S> x, label_cref y, rng& r) { fit_impl(x, y, r); }
  /// Fits every member on (x, y) with per-event weights (any sign).
  void fit(matrix_cref<S> x, label_cref y, vector_cref<S> w, rng& r) { fit_impl(x, y, w, r); }

  /// Mean of the members' scores.
  [[nodiscard]] vector<S> predict_score(matrix_cref<S> x) const {
    check_fitted("nn::ensemble::predict_score");
    vector<S> s = vector<S>::Zero(x.rows());
    for (const auto& m : members) s += m.predict_score(x);
    return s / static_cast<S>(members.size());
  }
  /// Mean of the members' probabilities.
  [[nodiscard]] vector<S> predict_proba(matrix_cref<S> x) const
    requires probabilistic_classifier<Member, S>
  {
    check_fitted("nn::ensemble::predict_proba");
    vector<S> s = vector<S>::Zero(x.rows());
    for (const auto& m : members) s += m.predict_proba(x);
    return s / static_cast<S>(members.size());
  }
  /// log(p / (1 - p)) of the mean probability p, from the members' logits (no overflow).
  [[nodiscard]] vector<S> predict_logit(matrix_cref<S> x) const
    requires probabilistic_classifier<Member, S>
  {
    check_fitted("nn::ensemble::predict_logit");
    std::vector<vector<S>> z;
    for (const auto& m : members) z.push_back(m.predict_logit(x));
    vector<S> out(x.rows());
    const auto log_sigmoid = [](double v) { return v >= 0 ? -std::log1p(std::exp(-v)) : v - std::log1p(std::exp(v)); };
    for (index_t i = 0; i < x.rows(); ++i) {
      // log sum_k s(z_k) and log sum_k s(-z_k) by log-sum-exp.
      double mp = -std::numeric_limits<double>::infinity(), mn = mp;
      for (const auto& zk : z) {
        mp = (std::max)(mp, log_sigmoid(static_cast<double>(zk(i))));
        mn = (std::max)(mn, log_sigmoid(-static_cast<double>(zk(i))));
      }
      double sp = 0, sn = 0;
      for (const auto& zk : z) {
        sp += std::exp(log_sigmoid(static_cast<double>(zk(i))) - mp);
        sn += std::exp(log_sigmoid(-static_cast<double>(zk(i))) - mn);
      }
      out(i) = static_cast<S>((mp + std::log(sp)) - (mn + std::log(sn)));
    }
    return out;
  }
  [[nodiscard]] bool fitted() const noexcept { return !members.empty(); }

 private:
  void check_fitted(std::string_view fn) const {
    if (members.empty()) throw_invalid_argument(fn, "the ensemble is not fitted (call fit first)");
  }
  void fit_impl(matrix_cref<S> x, label_cref y, rng& r) {
    check_positive("nn::ensemble::fit", "n_members", n_members);
    members.assign(static_cast<std::size_t>(n_members), prototype);
    for (std::int64_t k = 0; k < n_members; ++k) {
      rng rk = r.split(static_cast<std::uint64_t>(k));
      hepad::fit(members[static_cast<std::size_t>(k)], rk, x, y);
    }
  }
  void fit_impl(matrix_cref<S> x, label_cref y, vector_cref<S> w, rng& r) {
    check_positive("nn::ensemble::fit", "n_members", n_members);
    members.assign(static_cast<std::size_t>(n_members), prototype);
    for (std::int64_t k = 0; k < n_members; ++k) {
      rng rk = r.split(static_cast<std::uint64_t>(k));
      hepad::fit(members[static_cast<std::size_t>(k)], rk, x, y, w);
    }
  }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_ENSEMBLE_HPP
