#include "cellctl/motion/trajectory.hpp"

#include <algorithm>
#include <utility>

namespace cellctl::motion {

JointTrajectory::JointTrajectory(std::vector<Profile> axes, bool phase_synchronized)
    : axes_(std::move(axes)), phase_synchronized_(phase_synchronized) {
    for (const Profile& p : axes_) {
        duration_ = std::max(duration_, p.duration());
    }
}

void JointTrajectory::sample(const double* times, std::size_t n, double* position,
                             double* velocity, double* acceleration, double* jerk) const {
    const std::size_t dof = axes_.size();
    for (std::size_t k = 0; k < dof; ++k) {
        const Profile& axis = axes_[k];
        int hint = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const AxisState s = axis.state_at(times[i], hint);
            const std::size_t at = i * dof + k;
            if (position) position[at] = s.position;
            if (velocity) velocity[at] = s.velocity;
            if (acceleration) acceleration[at] = s.acceleration;
            if (jerk) jerk[at] = s.jerk;
        }
    }
}

}  // namespace cellctl::motion
