// SPDX-License-Identifier: BSL-1.0
// SVG plotting: ticks, label markup, document structure, error handling, PNG via rsvg-convert.
#include <hepad/plot/curves.hpp>
#include <hepad/plot/figure.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {
std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
// Every element that is opened is closed (self-closing or with an end tag).
bool balanced(const std::string& s, const std::string& tag) {
  std::size_t open = 0, selfc = 0;
  for (auto p = s.find("<" + tag); p != std::string::npos; p = s.find("<" + tag, p + 1)) {
    const char c = s[p + tag.size() + 1];
    if (c != ' ' && c != '>') continue;
    ++open;
    const auto e = s.find('>', p);
    if (s[e - 1] == '/') ++selfc;
  }
  return open - selfc == count(s, "</" + tag + ">");
}
}  // namespace

TEST_CASE("tick generation: nice linear steps, log decades with minors") {
  using hepad::plot::detail::linear_ticks;
  using hepad::plot::detail::log_ticks;
  const auto t = linear_ticks(-0.2, 5.9, 6);
  std::vector<std::string> labels;
  for (const auto& k : t)
    if (k.major) labels.push_back(k.label);
  CHECK(labels == std::vector<std::string>{"0", "1", "2", "3", "4", "5"});
  const auto f = linear_ticks(0.0, 1.0, 5);
  labels.clear();
  for (const auto& k : f)
    if (k.major) labels.push_back(k.label);
  CHECK(labels == std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"});
  const auto q = linear_ticks(0.0, 1.0, 4);  // step 0.25 needs two decimals
  bool has_025 = false;
  for (const auto& k : q) has_025 |= k.label == "0.25";
  CHECK(has_025);
  const auto l = log_ticks(1e-4, 1.0);
  int majors = 0, minors = 0;
  for (const auto& k : l) (k.major ? majors : minors)++;
  CHECK(majors == 5);
  CHECK(minors == 4 * 8);
  CHECK(l[0].label == "10^{−4}");
  // a wide range labels every second or third decade
  int labelled = 0;
  for (const auto& k : log_ticks(1e-12, 1e3))
    if (!k.label.empty()) ++labelled;
  CHECK(labelled <= 6);
  CHECK(hepad::plot::detail::tick_label(-0.5, 0.5) == "−0.5");
  CHECK(hepad::plot::detail::tick_label(2e6, 1e6) == "2×10^{6}");
}

TEST_CASE("label markup: escaping, superscripts and subscripts") {
  using hepad::plot::detail::markup;
  CHECK(markup("a<b & c", 10) == "a&lt;b &amp; c");
  const auto m = markup("p_{T} > 10^{3}", 10);
  CHECK(m.find(">T</tspan>") != std::string::npos);
  CHECK(m.find(">3</tspan>") != std::string::npos);
  CHECK(m.find("&gt; 10") != std::string::npos);
  CHECK(markup("ε_{S}", 10).find(">S</tspan>") != std::string::npos);
  CHECK(markup("t1_sig_norm", 10) == "t1_sig_norm");  // underscores without braces stay
  CHECK(markup("x^{unterminated", 10) == "x^{unterminated");
}

TEST_CASE("figure: SVG structure, log axes, bands, histograms, ratio panel, legend") {
  hepad::plot::figure fig({.rows = 1, .cols = 2});
  std::vector<double> x{1e-3, 1e-2, 1e-1, 1}, y{1, 3, 5, 2}, lo{0.5, 2, 4, 1.5}, hi{1.5, 4, 6, 2.5};
  fig.axes(0, 0)
      .band(x, lo, hi, {.label = "band"})
      .line(x, y, {.label = "median & more", .marker = hepad::plot::marker::square})
      .xscale(hepad::plot::scale::log)
      .xlabel("ε_{S}")
      .ylabel("SIC")
      .title("t")
      .secondary_x([](double v) { return 2 * v; }, "2x");
  std::vector<double> e{0, 1, 2, 3}, c{4, 0, 9}, err{2, 0, 3};
  fig.axes(0, 1).step(e, c, err, {.label = "h", .filled = true}).yscale(hepad::plot::scale::log);
  fig.add_ratio_panel(0, 1).points(std::vector<double>{0.5, 1.5, 2.5}, std::vector<double>{1, NAN, 1.1},
                                   std::vector<double>{0.1, 0.1, 0.1});
  const std::string svg = fig.to_svg();
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(count(svg, "<svg ") == 1);
  for (const char* tag : {"svg", "g", "text", "tspan", "path", "rect", "defs", "clipPath"}) {
    CAPTURE(tag);
    CHECK(balanced(svg, tag));
  }
  CHECK(count(svg, "clip-path=") == 3);           // three panels
  CHECK(svg.find("median &amp; more") != std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);     // NaN points are skipped, not written
  CHECK(svg.find("inf") == std::string::npos);
  CHECK(svg.find("fill-opacity") != std::string::npos);
}

TEST_CASE("figure rejects bad input") {
  hepad::plot::figure fig;
  std::vector<double> a{1, 2}, b{1};
  CHECK_THROWS_WITH_AS(fig.axes().line(a, b), doctest::Contains("plot::axes::line: y must have size 2"),
                       hepad::invalid_argument);
  CHECK_THROWS_AS(fig.axes().step(a, a), hepad::invalid_argument);
  CHECK_THROWS_AS(fig.axes().step(std::vector<double>{0, 0, 1}, a), hepad::invalid_argument);
  CHECK_THROWS_AS(fig.axes().xlim(1, 1), hepad::invalid_argument);
  CHECK_THROWS_AS(fig.axes(1, 0), hepad::out_of_range);
  CHECK_THROWS_AS(hepad::plot::figure({.width = 0}), hepad::invalid_argument);
}

TEST_CASE("ready-made figures render and convert to PNG where rsvg-convert exists") {
  std::vector<hepad::plot::curve> cs(1);
  for (int i = 1; i <= 50; ++i) {
    const double t = std::pow(10.0, -3.0 * (1 - i / 50.0));
    cs[0].x.push_back(t);
    cs[0].y.push_back(5 * std::sqrt(t) * std::exp(-t));
    cs[0].lo.push_back(4 * std::sqrt(t) * std::exp(-t));
    cs[0].hi.push_back(6 * std::sqrt(t) * std::exp(-t));
  }
  cs[0].label = "method";
  const auto dir = std::filesystem::temp_directory_path() / "hepad_plot_test";
  std::filesystem::create_directories(dir);
  auto sic = hepad::plot::sic_figure(cs, {.title = "SIC", .note = "N = 50"});
  sic.save_svg(dir / "sic.svg");
  CHECK(std::filesystem::file_size(dir / "sic.svg") > 1000);
  std::vector<double> mu{0, 0.5, 1, 1.5, 2}, q{4, 1, 0, 1, 4};
  auto scan = hepad::plot::scan_figure(mu, q, "μ", std::pair{0.5, 1.5});
  const std::string s = scan.to_svg();
  CHECK(s.find("68 % interval") != std::string::npos);
  if (hepad::plot::figure::rsvg_convert_available()) {
    REQUIRE(scan.save_png(dir / "scan.png"));
    std::ifstream in(dir / "scan.png", std::ios::binary);
    char sig[8] = {};
    in.read(sig, 8);
    CHECK(std::string(sig + 1, 3) == "PNG");
  } else {
    CHECK_FALSE(scan.save_png(dir / "scan.png"));
    MESSAGE("rsvg-convert not found: PNG output not tested");
  }
  std::filesystem::remove_all(dir);
}
