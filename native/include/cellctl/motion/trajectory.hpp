// A synchronised multi-joint trajectory: one Profile per joint, sampled in bulk.
#pragma once

#include <cstddef>
#include <vector>

#include "cellctl/motion/profile.hpp"

namespace cellctl::motion {

class JointTrajectory {
public:
    JointTrajectory() = default;
    JointTrajectory(std::vector<Profile> axes, bool phase_synchronized);

    std::size_t dof() const { return axes_.size(); }
    double duration() const { return duration_; }
    bool phase_synchronized() const { return phase_synchronized_; }
    const Profile& axis(std::size_t i) const { return axes_[i]; }

    /// Fills row-major (n, dof) arrays at the given times; any output pointer may be null.
    /// Sorted times are evaluated in O(n + phases); unsorted ones fall back to a binary search.
    void sample(const double* times, std::size_t n, double* position, double* velocity,
                double* acceleration, double* jerk) const;

private:
    std::vector<Profile> axes_;
    double duration_ = 0.0;
    bool phase_synchronized_ = false;
};

}  // namespace cellctl::motion
