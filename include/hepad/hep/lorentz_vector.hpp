// SPDX-License-Identifier: BSL-1.0
/// @file hepad/hep/lorentz_vector.hpp
/// @brief `hepad::hep::lorentz_vector`: a four-momentum in Cartesian components (px, py, pz, E)
/// built from and read as (pt, eta, phi, mass), with sums, invariant mass, delta-phi and delta-R.
/// Double precision throughout. Not here: boosts and rotations.
#ifndef HEPAD_HEP_LORENTZ_VECTOR_HPP
#define HEPAD_HEP_LORENTZ_VECTOR_HPP

#include <cmath>
#include <numbers>

namespace hepad::hep {

/// A four-momentum (px, py, pz, E), in GeV.
struct lorentz_vector {
  double px = 0, py = 0, pz = 0, e = 0;

  /// From transverse momentum, pseudorapidity, azimuth and mass:
  /// \f$p_x = p_T\cos\phi,\ p_y = p_T\sin\phi,\ p_z = p_T\sinh\eta,\ E = \sqrt{p^2 + m^2}\f$.
  static lorentz_vector from_pt_eta_phi_m(double pt, double eta, double phi, double m) noexcept {
    const double px = pt * std::cos(phi), py = pt * std::sin(phi), pz = pt * std::sinh(eta);
    return {px, py, pz, std::sqrt(px * px + py * py + pz * pz + m * m)};
  }

  [[nodiscard]] double pt() const noexcept { return std::hypot(px, py); }
  [[nodiscard]] double p() const noexcept { return std::sqrt(px * px + py * py + pz * pz); }
  [[nodiscard]] double phi() const noexcept { return (px == 0 && py == 0) ? 0.0 : std::atan2(py, px); }
  /// Pseudorapidity \f$\eta = \operatorname{asinh}(p_z/p_T)\f$ (±inf along the beam).
  [[nodiscard]] double eta() const noexcept {
    const double t = pt();
    if (t == 0) return pz == 0 ? 0.0 : std::copysign(INFINITY, pz);
    return std::asinh(pz / t);
  }
  /// \f$m^2 = E^2 - p^2\f$ (may be slightly negative from rounding).
  [[nodiscard]] double mass2() const noexcept { return e * e - (px * px + py * py + pz * pz); }
  /// Invariant mass; negative \f$m^2\f$ gives \f$-\sqrt{-m^2}\f$ (ROOT's convention).
  [[nodiscard]] double mass() const noexcept {
    const double m2 = mass2();
    return m2 >= 0 ? std::sqrt(m2) : -std::sqrt(-m2);
  }

  lorentz_vector& operator+=(const lorentz_vector& o) noexcept {
    px += o.px;
    py += o.py;
    pz += o.pz;
    e += o.e;
    return *this;
  }
  friend lorentz_vector operator+(lorentz_vector a, const lorentz_vector& b) noexcept { return a += b; }
  friend lorentz_vector operator-(const lorentz_vector& a, const lorentz_vector& b) noexcept {
    return {a.px - b.px, a.py - b.py, a.pz - b.pz, a.e - b.e};
  }
};

/// Azimuthal difference wrapped to \f$[-\pi, \pi)\f$.
inline double delta_phi(double phi1, double phi2) noexcept {
  double d = std::fmod(phi1 - phi2 + std::numbers::pi, 2 * std::numbers::pi);
  if (d < 0) d += 2 * std::numbers::pi;
  return d - std::numbers::pi;
}

/// \f$\Delta R = \sqrt{\Delta\eta^2 + \Delta\phi^2}\f$.
inline double delta_r(double eta1, double phi1, double eta2, double phi2) noexcept {
  return std::hypot(eta1 - eta2, delta_phi(phi1, phi2));
}

/// Invariant mass of two (pt, eta, phi, m) objects.
inline double invariant_mass(double pt1, double eta1, double phi1, double m1, double pt2, double eta2, double phi2,
                             double m2) noexcept {
  return (lorentz_vector::from_pt_eta_phi_m(pt1, eta1, phi1, m1) + lorentz_vector::from_pt_eta_phi_m(pt2, eta2, phi2, m2))
      .mass();
}

}  // namespace hepad::hep

#endif  // HEPAD_HEP_LORENTZ_VECTOR_HPP
