// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/weight_crop.hpp
/// @brief `ad::weight_crop`: the treatment of large template weights before the SR classifier
/// (S0 §6.1, §11 item 6): weights above mean + k std (over the template) are clipped to the
/// threshold (default), set to zero (the original's behaviour, which truncates the tail), or left
/// alone. Not here: class balancing (ad/class_balance.hpp).
#ifndef HEPAD_AD_WEIGHT_CROP_HPP
#define HEPAD_AD_WEIGHT_CROP_HPP

#include <hepad/ad/lr_weights.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>

namespace hepad::ad {

/// How weights above the threshold are treated.
enum class crop_kind : int {
  none = 0,  ///< leave them
  clip = 1,  ///< replace them by the threshold (keeps the events, bounds their influence)
  zero = 2   ///< set them to 0 (the S0 original: removes the tail)
};

/// What a crop did.
struct crop_report {
  double threshold = std::numeric_limits<double>::infinity();  ///< mean + k std
  std::int64_t n_cropped = 0;                                  ///< weights above the threshold
  double weight_before = 0, weight_after = 0;                  ///< sums of weights
};

/// Crop policy: threshold = mean + k std of the weights (population std).
struct weight_crop {
  crop_kind kind = crop_kind::clip;
  double k = 3.0;

  static constexpr std::string_view name = "weight_crop";
  static constexpr auto fields() {
    return std::tuple{config::field{"kind", &weight_crop::kind}, config::field{"k", &weight_crop::k}};
  }

  /// The original's policy (zero above mean + 3 std).
  [[nodiscard]] static weight_crop s0_original() { return {crop_kind::zero, 3.0}; }

  /// Applies the crop in place. @throws invalid_argument for k <= 0 or non-finite weights.
  template <class S>
  crop_report apply(vector<S>& w) const {
    constexpr std::string_view fn = "ad::weight_crop::apply";
    check_positive(fn, "k", k);
    check_all_finite(fn, "weights", w);
    crop_report r;
    const weight_summary s = summarize_weights<S>(w);
    r.weight_before = s.sum;
    r.threshold = s.mean + k * s.std;
    if (kind != crop_kind::none) {
      const S thr = static_cast<S>(r.threshold);
      for (index_t i = 0; i < w.size(); ++i)
        if (static_cast<double>(w(i)) > r.threshold) {
          ++r.n_cropped;
          w(i) = kind == crop_kind::clip ? thr : S(0);
        }
    } else {
      for (index_t i = 0; i < w.size(); ++i)
        if (static_cast<double>(w(i)) > r.threshold) ++r.n_cropped;
    }
    r.weight_after = static_cast<double>(w.template cast<double>().sum());
    return r;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_WEIGHT_CROP_HPP
