#include "cellctl/motion/chain.hpp"

#include "cellctl/motion/linalg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>

namespace cellctl::motion {
namespace {

Transform joint_motion(const ChainJoint& j, double q) {
    Transform m;
    if (j.type == JointType::kRevolute) {
        m.rotation = axis_angle(j.axis, q);
    } else {
        m.translation = q * j.axis;
    }
    return m;
}

/// Smallest singular value of the 6 x dof Jacobian, by inverse iteration on J J^T
/// (0 when J J^T is numerically singular or the chain has fewer than 6 joints).
double min_singular_value(const double* jac, std::size_t dof) {
    if (dof < 6) return 0.0;
    double jjt[36];
    for (int r = 0; r < 6; ++r)
        for (int c = 0; c < 6; ++c) {
            double s = 0.0;
            for (std::size_t k = 0; k < dof; ++k) s += jac[r * dof + k] * jac[c * dof + k];
            jjt[6 * r + c] = s;
        }
    double x[6] = {1, 1, 1, 1, 1, 1};
    double lambda = 0.0;
    for (int it = 0; it < 30; ++it) {
        double a[36];
        std::copy(jjt, jjt + 36, a);
        for (int i = 0; i < 6; ++i) a[7 * i] += 1e-30;
        double y[6];
        std::copy(x, x + 6, y);
        if (!solve6(a, y)) return 0.0;
        double n = 0.0;
        for (double v : y) n += v * v;
        n = std::sqrt(n);
        if (!(n > 0.0) || !std::isfinite(n)) return 0.0;
        for (int i = 0; i < 6; ++i) x[i] = y[i] / n;
        lambda = 1.0 / n;
    }
    return std::sqrt(std::max(lambda, 0.0));
}

/// Brings q within the joint's limits: a revolute joint with a range of a full turn or more
/// wraps by whole turns (same pose, no artificial wall); otherwise q is clamped.
double into_limits(const ChainJoint& j, double q) {
    constexpr double kTurn = 2.0 * M_PI;
    if (j.type == JointType::kRevolute && j.upper - j.lower >= kTurn) {
        while (q > j.upper) q -= kTurn;
        while (q < j.lower) q += kTurn;
    }
    return std::clamp(q, j.lower, j.upper);
}

}  // namespace

void pose_error(const Transform& target, const Transform& current, double* e6) {
    const Vec3 dp = target.translation - current.translation;
    const Vec3 dr = log_rotation(mul(target.rotation, transpose(current.rotation)));
    for (int i = 0; i < 3; ++i) {
        e6[i] = dp[i];
        e6[3 + i] = dr[i];
    }
}

const char* to_string(IkStatus status) {
    switch (status) {
        case IkStatus::kOk: return "ok";
        case IkStatus::kUnreachable: return "unreachable";
        case IkStatus::kSingular: return "singular";
        case IkStatus::kJointLimits: return "joint_limits";
        case IkStatus::kInvalidInput: return "invalid";
    }
    return "unknown";
}

namespace {

std::string number(double v) {
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
}

/// The first problem with one joint's description, or an empty string.
std::string joint_problem(const ChainJoint& j) {
    if (!is_rigid(j.origin)) {
        return "origin is not a rigid transform (finite, with a rotation matrix)";
    }
    const double n = norm(j.axis);
    if (!std::isfinite(n) || !(n > 0.0)) {
        return "axis (" + number(j.axis[0]) + ", " + number(j.axis[1]) + ", " + number(j.axis[2]) +
               ") must be finite and non-zero";
    }
    if (std::isnan(j.lower) || std::isnan(j.upper) || !(j.lower <= j.upper)) {
        return "lower limit " + number(j.lower) + " must be at most the upper limit " +
               number(j.upper);
    }
    return {};
}

}  // namespace

ChainError Chain::create(std::vector<ChainJoint> joints, const Transform& tip, Chain& out) {
    if (joints.empty()) return {-1, "a chain needs at least one movable joint"};
    if (joints.size() > kMaxDof) {
        return {-1, "the chain has " + std::to_string(joints.size()) + " movable joints; at most " +
                        std::to_string(kMaxDof) + " are supported"};
    }
    for (std::size_t i = 0; i < joints.size(); ++i) {
        ChainJoint& j = joints[i];
        if (std::string why = joint_problem(j); !why.empty()) {
            return {static_cast<int>(i),
                    "joint '" + j.name + "' (index " + std::to_string(i) + "): " + why};
        }
        j.axis = (1.0 / norm(j.axis)) * j.axis;
    }
    if (!is_rigid(tip)) return {-1, "the tip is not a rigid transform (finite, with a rotation matrix)"};
    out = Chain(std::move(joints), tip);
    return {};
}

Chain::Chain(std::vector<ChainJoint> joints, Transform tip)
    : joints_(std::move(joints)), tip_(tip) {
    for (const ChainJoint& j : joints_) {
        reach_ += norm(j.origin.translation);
        if (j.type == JointType::kPrismatic) {
            reach_ += std::max(std::abs(j.lower), std::abs(j.upper));
        }
    }
    reach_ += norm(tip_.translation);
}

Transform Chain::fk(const double* q) const {
    Transform t;
    for (std::size_t i = 0; i < joints_.size(); ++i) {
        t = t * joints_[i].origin * joint_motion(joints_[i], q[i]);
    }
    return t * tip_;
}

Transform Chain::fk_jacobian(const double* q, double* out) const {
    const std::size_t n = joints_.size();
    std::array<Vec3, kMaxDof> axes, origins;
    Transform t;
    for (std::size_t i = 0; i < n; ++i) {
        t = t * joints_[i].origin;
        axes[i] = mul(t.rotation, joints_[i].axis);
        origins[i] = t.translation;
        t = t * joint_motion(joints_[i], q[i]);
    }
    t = t * tip_;
    for (std::size_t i = 0; i < n; ++i) {
        Vec3 lin, ang{0.0, 0.0, 0.0};
        if (joints_[i].type == JointType::kRevolute) {
            lin = cross(axes[i], t.translation - origins[i]);
            ang = axes[i];
        } else {
            lin = axes[i];
        }
        for (int r = 0; r < 3; ++r) {
            out[r * n + i] = lin[r];
            out[(3 + r) * n + i] = ang[r];
        }
    }
    return t;
}

void Chain::jacobian(const double* q, double* out) const { fk_jacobian(q, out); }

bool Chain::within_limits(const double* q, double tol) const {
    for (std::size_t i = 0; i < joints_.size(); ++i) {
        if (q[i] < joints_[i].lower - tol || q[i] > joints_[i].upper + tol) return false;
    }
    return true;
}

bool Chain::descend(const Transform& target, double* q, const IkOptions& opt,
                    bool respect_limits, int& iterations, double& pos_err, double& rot_err,
                    double& min_singular) const {
    const std::size_t n = joints_.size();
    std::array<double, 6 * kMaxDof> jac, trial_jac;
    std::array<double, kMaxDof> step, trial;
    double e[6], te[6];
    double lambda = 1e-3;  // damping, adapted Levenberg-Marquardt style
    pose_error(target, fk_jacobian(q, jac.data()), e);
    auto sq = [](const double* v) {
        double c = 0.0;
        for (int i = 0; i < 6; ++i) c += v[i] * v[i];
        return c;
    };
    auto errors = [&] {
        pos_err = std::sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
        rot_err = std::sqrt(e[3] * e[3] + e[4] * e[4] + e[5] * e[5]);
        return pos_err <= opt.position_tolerance && rot_err <= opt.orientation_tolerance;
    };
    double cost = sq(e);
    for (int it = 0; it < opt.max_iterations && !errors(); ++it) {
        ++iterations;
        if (!damped_pseudo_inverse_apply(jac.data(), n, e, lambda, step.data())) break;
        for (std::size_t k = 0; k < n; ++k) {
            trial[k] = q[k] + step[k];
            if (respect_limits) trial[k] = into_limits(joints_[k], trial[k]);
        }
        pose_error(target, fk_jacobian(trial.data(), trial_jac.data()), te);
        const double trial_cost = sq(te);
        if (trial_cost < cost) {
            std::copy(trial.begin(), trial.begin() + static_cast<long>(n), q);
            jac = trial_jac;
            std::copy(te, te + 6, e);
            cost = trial_cost;
            lambda = std::max(lambda * 0.1, 1e-12);
        } else {
            lambda *= 10.0;
            if (lambda > 1e6) break;  // stalled: a local minimum or a singularity
        }
    }
    const bool converged = errors();
    min_singular = converged ? 1.0 : min_singular_value(jac.data(), n);
    return converged;
}

namespace {

/// The first invalid IK input, or an empty string (static text: no allocation).
const char* ik_input_problem(const Transform& target, const double* seed, std::size_t n,
                             const IkOptions& opt) {
    if (!is_rigid(target)) return "the target pose must be finite with a rotation matrix";
    for (std::size_t k = 0; k < n; ++k) {
        if (!std::isfinite(seed[k])) return "the seed must be finite";
    }
    if (!(opt.position_tolerance > 0.0) || !std::isfinite(opt.position_tolerance)) {
        return "position_tolerance must be a finite number > 0";
    }
    if (!(opt.orientation_tolerance > 0.0) || !std::isfinite(opt.orientation_tolerance)) {
        return "orientation_tolerance must be a finite number > 0";
    }
    if (opt.max_iterations < 1) return "max_iterations must be at least 1";
    if (opt.max_attempts < 1) return "max_attempts must be at least 1";
    return "";
}

IkResult invalid_ik(const char* why, const double* seed, std::size_t n) {
    IkResult r;
    r.status = IkStatus::kInvalidInput;
    r.invalid = why;
    r.position_error = r.orientation_error = std::numeric_limits<double>::infinity();
    if (seed) r.q.assign(seed, seed + n);
    return r;
}

}  // namespace

IkResult Chain::ik(const Transform& target, const std::vector<double>& seed,
                   const IkOptions& opt) const {
    if (seed.size() != joints_.size()) {
        return invalid_ik("the seed must have one value per joint of the chain", nullptr, 0);
    }
    return ik(target, seed.data(), opt);
}

IkResult Chain::ik(const Transform& target, const double* seed, const IkOptions& opt) const {
    const std::size_t n = joints_.size();
    if (const char* why = ik_input_problem(target, seed, n, opt); *why != '\0') {
        return invalid_ik(why, seed, n);
    }
    IkResult best;
    best.status = IkStatus::kUnreachable;
    best.position_error = best.orientation_error = 1e300;
    if (norm(target.translation) > reach_ * (1.0 + 1e-9)) {
        best.q.assign(seed, seed + n);
        return best;
    }
    std::optional<std::mt19937_64> rng;  // seeded on the first restart: seeding costs more than a descent from a close seed
    std::vector<double> q(seed, seed + n);
    bool stalled_singular = false;
    for (int attempt = 0; attempt < opt.max_attempts; ++attempt) {
        if (attempt > 0) {
            if (!rng) rng.emplace(opt.random_seed);
            for (std::size_t k = 0; k < n; ++k) {
                const double lo = std::max(joints_[k].lower, -M_PI), hi = std::min(joints_[k].upper, M_PI);
                q[k] = std::uniform_real_distribution<double>(lo, hi)(*rng);
            }
        } else {
            for (std::size_t k = 0; k < n; ++k) q[k] = into_limits(joints_[k], q[k]);
        }
        double pe = 0.0, re = 0.0, sigma = 0.0;
        ++best.attempts;
        const bool ok = descend(target, q.data(), opt, true, best.iterations, pe, re, sigma);
        if (ok) {
            best.status = IkStatus::kOk;
            best.q = q;
            best.position_error = pe;
            best.orientation_error = re;
            return best;
        }
        if (sigma < 1e-6) stalled_singular = true;
        if (pe + re < best.position_error + best.orientation_error) {
            best.q = q;
            best.position_error = pe;
            best.orientation_error = re;
        }
    }
    // Why did it fail? Try once more without limits to tell "limits" from "unreachable".
    std::vector<double> free(seed, seed + n);
    double pe = 0.0, re = 0.0, sigma = 0.0;
    int ignored = 0;
    if (descend(target, free.data(), opt, false, ignored, pe, re, sigma)) {
        best.status = IkStatus::kJointLimits;
    } else if (stalled_singular) {
        best.status = IkStatus::kSingular;
    }
    return best;
}

}  // namespace cellctl::motion
