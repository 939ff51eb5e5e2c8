#include "cellctl/motion/path_timing.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace cellctl::motion {
namespace {

constexpr std::size_t kGrid = 1001;
constexpr double kSlowest = 1e-3;  // the override never stops the motion

/// Moving minimum over ±half cells (an erosion): a value here is below every needed value nearby.
std::vector<double> erode(const std::vector<double>& x, std::size_t half) {
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::size_t lo = i > half ? i - half : 0, hi = std::min(x.size() - 1, i + half);
        out[i] = *std::min_element(x.begin() + static_cast<long>(lo), x.begin() + static_cast<long>(hi) + 1);
    }
    return out;
}

/// Moving average over ±half cells (a box filter; ends use the cells that exist).
std::vector<double> smooth(const std::vector<double>& x, std::size_t half) {
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::size_t lo = i > half ? i - half : 0, hi = std::min(x.size() - 1, i + half);
        double sum = 0.0;
        for (std::size_t k = lo; k <= hi; ++k) sum += x[k];
        out[i] = sum / static_cast<double>(hi - lo + 1);
    }
    return out;
}

}  // namespace

PathTiming::PathTiming(Profile nominal) : profile_(std::move(nominal)) {
    tau_.resize(kGrid);
    for (std::size_t i = 0; i < kGrid; ++i) tau_[i] = tau_grid_time(i);
    o_.assign(kGrid, 1.0);
    do_.assign(kGrid, 0.0);
    ddo_.assign(kGrid, 0.0);
    rebuild_time_table();
}

double PathTiming::tau_grid_time(std::size_t i) const {
    return profile_.duration() * static_cast<double>(i) / static_cast<double>(kGrid - 1);
}

void PathTiming::set_override(const std::vector<double>& needed, double window) {
    const double dtau = profile_.duration() / static_cast<double>(kGrid - 1);
    if (!(dtau > 0.0)) return;
    std::vector<double> k(needed);
    for (double& v : k) v = std::clamp(v, kSlowest, 1.0);
    // Erode over ±window/2, then three boxes of ±window/6: the result stays below k.
    const auto cells = static_cast<std::size_t>(std::max(1.0, std::round(window / 2.0 / dtau)));
    std::vector<double> o = erode(k, cells);
    const std::size_t box = std::max<std::size_t>(1, cells / 3);
    for (int pass = 0; pass < 3; ++pass) o = smooth(o, box);
    o_ = std::move(o);
    for (std::size_t i = 0; i < kGrid; ++i) {
        const std::size_t a = i > 0 ? i - 1 : i, b = std::min(kGrid - 1, i + 1);
        do_[i] = (o_[b] - o_[a]) / (tau_[b] - tau_[a]);
    }
    for (std::size_t i = 0; i < kGrid; ++i) {
        const std::size_t a = i > 0 ? i - 1 : i, b = std::min(kGrid - 1, i + 1);
        ddo_[i] = (do_[b] - do_[a]) / (tau_[b] - tau_[a]);
    }
    rebuild_time_table();
}

void PathTiming::scale(double c) {
    c_ *= c;
    rebuild_time_table();
}

void PathTiming::rebuild_time_table() {
    t_.assign(kGrid, 0.0);
    for (std::size_t i = 1; i < kGrid; ++i) {
        // dt = dτ / (c·o): trapezoidal on 1/o.
        t_[i] = t_[i - 1] + (tau_[i] - tau_[i - 1]) * 0.5 * (1.0 / o_[i - 1] + 1.0 / o_[i]) / c_;
    }
}

AxisState PathTiming::at(double t, int& hint) const {
    if (!(profile_.duration() > 0.0) || t >= t_.back()) {
        const AxisState end = profile_.end();
        return {end.position, 0.0, 0.0, 0.0};
    }
    if (t <= 0.0) {
        const AxisState start = profile_.start();
        return {start.position, 0.0, 0.0, 0.0};
    }
    const std::size_t i = static_cast<std::size_t>(
        std::upper_bound(t_.begin(), t_.end(), t) - t_.begin()) - 1;
    const double dt = t - t_[i];
    // Within a cell o is nearly constant: τ by a second-order step, then o and its slopes there.
    const double rate0 = c_ * o_[i];
    double tau = tau_[i] + rate0 * dt + 0.5 * c_ * c_ * o_[i] * do_[i] * dt * dt;
    tau = std::clamp(tau, tau_[i], tau_[std::min(kGrid - 1, i + 1)]);
    const std::size_t j = std::min(kGrid - 1, i + 1);
    const double f = tau_[j] > tau_[i] ? (tau - tau_[i]) / (tau_[j] - tau_[i]) : 0.0;
    const double o = o_[i] + f * (o_[j] - o_[i]);
    const double d1 = do_[i] + f * (do_[j] - do_[i]);
    const double d2 = ddo_[i] + f * (ddo_[j] - ddo_[i]);
    const double rate = c_ * o;                                  // dτ/dt
    const double rate2 = c_ * c_ * d1 * o;                       // d²τ/dt²
    const double rate3 = c_ * c_ * c_ * (d2 * o + d1 * d1) * o;  // d³τ/dt³
    const AxisState s = profile_.state_at(tau, hint);
    return {s.position, s.velocity * rate, s.acceleration * rate * rate + s.velocity * rate2,
            s.jerk * rate * rate * rate + 3.0 * s.acceleration * rate * rate2 + s.velocity * rate3};
}

}  // namespace cellctl::motion
