// Serial kinematic chains: forward kinematics, Jacobian, inverse kinematics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cellctl/motion/se3.hpp"

namespace cellctl::motion {

enum class JointType { kRevolute, kPrismatic };

/// One movable joint: a fixed transform from the previous joint frame, then motion about
/// (revolute) or along (prismatic) `axis` in the new frame. Fixed joints are folded into the
/// next origin; an unlimited (continuous) joint has infinite bounds.
struct ChainJoint {
    std::string name;
    JointType type = JointType::kRevolute;
    Transform origin;
    Vec3 axis{0.0, 0.0, 1.0};
    double lower = -1e300;
    double upper = 1e300;
};

enum class IkStatus {
    kOk = 0,
    kUnreachable,   // no configuration reaches the pose (too far, or no attempt converged)
    kSingular,      // attempts stalled at a singular configuration
    kJointLimits,   // the pose is reachable only with joints outside their limits
    kInvalidInput,  // non-finite or non-rigid pose, non-finite seed or seed of the wrong
                    // length, options out of range (IkResult::invalid says which)
};

/// Stable lower-case name of a status ("ok", "unreachable", "singular", "joint_limits",
/// "invalid"): what the binding and log lines use, mapped by value.
const char* to_string(IkStatus status);

/// The IK defaults, written once: the binding and the Python layer take theirs from here.
struct IkOptions {
    double position_tolerance = 1e-10;     // m
    double orientation_tolerance = 1e-9;   // rad
    int max_iterations = 300;              // per attempt
    int max_attempts = 50;                 // the seed, then seeded random restarts
    std::uint64_t random_seed = 0x5eed;    // restarts are reproducible
};

struct IkResult {
    IkStatus status = IkStatus::kOk;
    std::vector<double> q;
    double position_error = 0.0;     // m, of the returned (best) configuration
    double orientation_error = 0.0;  // rad
    int iterations = 0;              // over all attempts
    int attempts = 0;
    const char* invalid = "";        // with kInvalidInput: which input, and what is valid
};

/// Why a chain description was refused: the joint concerned (-1: the chain or its tip) and a
/// message that names it and says what would be valid. An empty message means valid.
struct ChainError {
    int joint = -1;
    std::string message;
    bool ok() const { return message.empty(); }
};

class Chain {
public:
    static constexpr std::size_t kMaxDof = 12;

    Chain() = default;

    /// Validates a description and builds the chain from it. `tip` is the fixed transform from
    /// the last joint frame to the tool centre point. Valid: 1 to kMaxDof joints; finite
    /// origins and tip whose rotations are rotation matrices; finite non-zero axes (normalised
    /// here); lower <= upper (infinite bounds allowed). On error `out` is left untouched.
    static ChainError create(std::vector<ChainJoint> joints, const Transform& tip, Chain& out);

    std::size_t dof() const { return joints_.size(); }
    const ChainJoint& joint(std::size_t i) const { return joints_[i]; }
    const Transform& tip() const { return tip_; }
    /// Upper bound of the distance from the base origin to the TCP over all configurations.
    double reach() const { return reach_; }

    Transform fk(const double* q) const;
    /// Geometric Jacobian at the TCP in the base frame, row-major 6 x dof (linear rows first).
    void jacobian(const double* q, double* out) const;
    /// FK and Jacobian together (one pass).
    Transform fk_jacobian(const double* q, double* out) const;

    /// Damped least squares from `seed` (dof values), then seeded random restarts within the
    /// limits. Invalid input (see IkStatus::kInvalidInput) is reported, never iterated on.
    IkResult ik(const Transform& target, const double* seed, const IkOptions& options) const;
    /// The same with the seed's length checked against dof().
    IkResult ik(const Transform& target, const std::vector<double>& seed,
                const IkOptions& options) const;

    bool within_limits(const double* q, double tol = 0.0) const;

private:
    Chain(std::vector<ChainJoint> joints, Transform tip);

    /// One Levenberg-Marquardt descent; returns true on convergence. `q` is updated in place.
    bool descend(const Transform& target, double* q, const IkOptions& options,
                 bool respect_limits, int& iterations, double& pos_err, double& rot_err,
                 double& min_singular) const;

    std::vector<ChainJoint> joints_;
    Transform tip_;
    double reach_ = 0.0;
};

/// The pose error of `current` relative to `target`: translation (m) and rotation vector (rad),
/// both expressed in the base frame.
void pose_error(const Transform& target, const Transform& current, double* e6);

}  // namespace cellctl::motion
