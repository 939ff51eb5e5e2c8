// Jerk-limited motion of the tool along a Cartesian path, resolved into joint motion.
//
// Planning: the path is sampled on a grid of path parameter values and solved by warm-started
// inverse kinematics (rejecting unreachable poses, joint-limit violations, singular or jumping
// configurations with the move and the place along it); a time-optimal rest-to-rest profile
// s(t) runs along the path under the Cartesian limits; the resulting joint and Cartesian
// motion is checked densely, and the whole profile is slowed down uniformly (exact time
// scaling) where a joint or Cartesian limit would otherwise be exceeded.
// Sampling: the pose at s(t), inverse kinematics seeded from the grid (so the result does not
// depend on the order of queries), joint velocity from the Jacobian's pseudo-inverse,
// acceleration and jerk from its derivative along the path.
#pragma once

#include <string>
#include <vector>

#include "cellctl/motion/cartesian_path.hpp"
#include "cellctl/motion/chain.hpp"
#include "cellctl/motion/path_timing.hpp"
#include "cellctl/motion/profile.hpp"

namespace cellctl::motion {

struct CartesianLimits {
    double speed;                 // m/s of the TCP
    double acceleration;          // m/s^2
    double jerk;                  // m/s^3
    double angular_speed;         // rad/s of the tool orientation
    double angular_acceleration;  // rad/s^2
    double angular_jerk;          // rad/s^3
};

enum class CartesianStatus {
    kOk = 0,
    kInvalidInput,   // bad limits, blend radius, start configuration (detail says which)
    kUnreachable,
    kJointLimits,
    kSingular,       // too close to a singular configuration, or the joints would jump
    kInternal,       // no valid timing found: a planner defect, reported instead of a bad motion
};

/// Stable lower-case name of a status ("ok", "invalid", "unreachable", "joint_limits",
/// "singular", "internal"), mapped by value.
const char* to_string(CartesianStatus status);

struct CartesianError {
    CartesianStatus status = CartesianStatus::kOk;
    int move = -1;          // index of the move (segment)
    double fraction = 0.0;  // where along that move, 0 .. 1
    int joint = -1;         // the joint concerned, when one is
    std::string detail;
};

/// The planning defaults, written once: the binding takes its defaults from here.
struct CartesianPlanOptions {
    double grid_step = 5e-4;        // path parameter between IK grid nodes (m)
    double min_singular_value = 2e-3;  // smallest allowed singular value of the Jacobian
    double max_joint_step = 0.05;   // rad between grid nodes before calling it a jump
};

class CartesianTrajectory {
public:
    /// Plans the motion along `path` from the joint configuration `start_q` (dof values, at
    /// the path's start pose), or says why not. Input is checked first (kInvalidInput: start
    /// configuration, joint and Cartesian limits, options, path length); every limit holds on
    /// the result, checked densely, or the plan is refused.
    static CartesianError plan(const Chain& chain, const std::vector<double>& start_q,
                               CartesianPath path, const std::vector<AxisLimits>& joint_limits,
                               const CartesianLimits& limits, const CartesianPlanOptions& options,
                               CartesianTrajectory& out);

    double duration() const { return timing_.duration(); }
    std::size_t dof() const { return chain_.dof(); }
    /// 1 when the Cartesian limits govern; below 1 when the motion was slowed (locally) for the
    /// joints: the nominal duration over the actual one.
    double time_scale() const { return time_scale_; }
    const CartesianPath& path() const { return path_; }

    /// Joint positions/velocities/accelerations/jerks, row-major (n, dof); outputs may be null.
    void sample(const double* times, std::size_t n, double* q, double* qd, double* qdd,
                double* qddd) const;
    /// TCP poses as row-major 4x4 matrices, (n, 4, 4).
    void poses(const double* times, std::size_t n, double* out) const;
    /// Path parameter and its derivatives at t.
    AxisState path_state(double t) const { return timing_.at(t); }

private:
    /// The joint path on a grid of s by warm-started IK, with reachability/limit/singularity checks.
    CartesianError build_grid(const std::vector<double>& start_q, const CartesianPlanOptions& options);
    /// Per instant: the largest factor (<= 1) by which the motion there must be slowed to keep
    /// every joint and Cartesian limit (rates scale by k, k², k³).
    std::vector<double> scales_at(const std::vector<double>& times, const std::vector<AxisLimits>& joint_limits,
                                  const CartesianLimits& limits) const;
    /// The smallest of scales_at over dense samples of the whole motion.
    double limit_scale(const std::vector<AxisLimits>& joint_limits, const CartesianLimits& limits) const;
    /// Joint configuration at path parameter s (seeded from the grid).
    void solve(double s, double* q) const;
    /// Joint rates per unit path parameter at (s, q): J^+ dx/ds.
    void rates(double s, const double* q, double* dq_ds) const;

    Chain chain_;
    CartesianPath path_{{}, {}};
    PathTiming timing_;
    std::vector<double> grid_s_, grid_q_;
    double time_scale_ = 1.0;
};

}  // namespace cellctl::motion
