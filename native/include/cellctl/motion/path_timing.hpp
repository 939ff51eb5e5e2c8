// Time along a path: a jerk-limited profile s(τ) slowed down locally by a speed override.
//
// The nominal profile s(τ) respects the Cartesian limits. Where joint (or curvature-driven
// Cartesian) limits need the motion slower, the override o(τ) ≤ 1 says by how much: real time
// runs as dτ/dt = c·o(τ), where c ≤ 1 is a uniform factor on top. o is a smoothed lower
// envelope of the needed factors (an erosion keeps it below them, three box filters make it
// twice differentiable), so the slow-down starts before a demanding stretch and ends after it,
// and the rest of the path keeps its speed.
#pragma once

#include <vector>

#include "cellctl/motion/profile.hpp"

namespace cellctl::motion {

class PathTiming {
public:
    PathTiming() = default;
    explicit PathTiming(Profile nominal);

    /// Slow down locally: ``needed[i]`` (0 < needed <= 1) is the factor the motion needs at path
    /// time ``tau_grid_time(i)``; ``window`` (s of path time) is how gradual changes are.
    void set_override(const std::vector<double>& needed, double window);
    /// A uniform factor on top of the override (exact time scaling for c constant).
    void scale(double c);

    /// Path time of grid point i (the grid the override is given on).
    double tau_grid_time(std::size_t i) const;
    std::size_t grid_size() const { return tau_.size(); }

    double duration() const { return t_.empty() ? profile_.duration() : t_.back(); }
    double nominal_duration() const { return profile_.duration(); }
    /// s and its time derivatives at real time t.
    AxisState at(double t, int& hint) const;
    AxisState at(double t) const {
        int hint = 0;
        return at(t, hint);
    }

private:
    void rebuild_time_table();

    Profile profile_;
    std::vector<double> tau_, o_, do_, ddo_, t_;
    double c_ = 1.0;
};

}  // namespace cellctl::motion
