// Multi-axis point-to-point planning: time-optimal, jerk-limited, synchronised.
#pragma once

#include <cstddef>
#include <vector>

#include "cellctl/motion/profile.hpp"
#include "cellctl/motion/trajectory.hpp"

namespace cellctl::motion {

enum class PlanStatus {
    kOk = 0,
    kEmpty,             // no joints
    kLengthMismatch,    // inputs of different lengths (value: the offending length)
    kNonFinite,         // NaN or infinite input
    kBadLimit,          // a limit that is not strictly positive
    kStartOutsideLimits,  // start velocity/acceleration beyond the limits (or will overshoot)
    kInternal,          // no profile found: a bug, reported instead of returning garbage
};

/// Which input was wrong, for an error message that names the joint and the value.
struct PlanError {
    PlanStatus status = PlanStatus::kOk;
    int joint = -1;
    const char* field = "";
    double value = 0.0;
};

/// One joint-space request; every vector has one entry per joint.
struct PtpRequest {
    std::vector<double> start, goal, start_velocity, start_acceleration;
    std::vector<AxisLimits> limits;
};

/// Time-optimal synchronised move from the start state to the goal at rest. All joints finish
/// together at the slowest joint's optimal time; when the start state is collinear with the
/// displacement (always so from rest) and the limits allow, the motion is phase synchronised
/// (a straight line in joint space).
PlanError plan_ptp(const PtpRequest& request, JointTrajectory& out);

/// Brings every joint to rest as fast as the limits allow from the given state. Collinear
/// states (such as any instant of a phase-synchronised move) stop along their line.
PlanError plan_stop(const std::vector<double>& position, const std::vector<double>& velocity,
                    const std::vector<double>& acceleration, const std::vector<AxisLimits>& limits,
                    JointTrajectory& out);

}  // namespace cellctl::motion
