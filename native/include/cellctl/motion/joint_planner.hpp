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

/// The same request as views over caller-owned arrays of `dof` values each, with the limits as
/// one row-major (3, dof) table (rows velocity, acceleration, jerk): what the Python binding
/// passes straight from numpy buffers, without copying.
struct PtpView {
    std::size_t dof = 0;
    const double* start = nullptr;
    const double* goal = nullptr;
    const double* start_velocity = nullptr;
    const double* start_acceleration = nullptr;
    const double* limits = nullptr;
};

/// Time-optimal synchronised move from the start state to the goal at rest. All joints finish
/// together at the slowest joint's optimal time; when the start state is collinear with the
/// displacement (always so from rest) and the limits allow, the motion is phase synchronised
/// (a straight line in joint space).
PlanError plan_ptp(const PtpRequest& request, JointTrajectory& out);
PlanError plan_ptp(const PtpView& request, JointTrajectory& out);

/// Brings every joint to rest as fast as the limits allow from the given state. Collinear
/// states (such as any instant of a phase-synchronised move) stop along their line.
PlanError plan_stop(const std::vector<double>& position, const std::vector<double>& velocity,
                    const std::vector<double>& acceleration, const std::vector<AxisLimits>& limits,
                    JointTrajectory& out);

}  // namespace cellctl::motion
