#include "cellctl/motion/cartesian_trajectory.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "cellctl/motion/linalg.hpp"
#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {
namespace {

constexpr double kDerivativeStep = 1e-4;  // path parameter step for derivatives along s
constexpr double kLimitMargin = 1e-3;     // relative margin kept below every limit
constexpr double kOverrideWindow = 0.3;   // s of path time over which a local slow-down ramps
constexpr int kMaxScalingPasses = 6;      // uniform slow-downs before the plan is refused

IkOptions tracking_options() {
    IkOptions o;
    o.max_attempts = 1;  // follow the seed: a restart could jump to another configuration
    o.max_iterations = 60;
    return o;
}

CartesianError fail(CartesianStatus status, const CartesianPath& path, double s, int joint,
                    std::string detail) {
    CartesianError e;
    e.status = status;
    e.joint = joint;
    e.detail = std::move(detail);
    if (path.segments() > 0) {
        const std::size_t i = path.segment_at(s);
        e.move = static_cast<int>(i);
        const double len = path.segment(i).length();
        e.fraction = len > 0.0 ? std::clamp((s - path.segment_start(i)) / len, 0.0, 1.0) : 0.0;
    }
    return e;
}

/// Twist of the path per unit s at s: [dp/ds; omega/ds] (central differences on exact poses).
void path_rate(const CartesianPath& path, double s, double out[6]) {
    const double h = kDerivativeStep;
    const Pose a = path.at(s - h), b = path.at(s + h);
    const Vec3 dp = (1.0 / (2.0 * h)) * (b.position - a.position);
    const Vec3 w = (1.0 / (2.0 * h)) * log_rotation(mul(to_matrix(b.orientation),
                                                        transpose(to_matrix(a.orientation))));
    for (int i = 0; i < 3; ++i) {
        out[i] = dp[i];
        out[3 + i] = w[i];
    }
}

/// True when the smallest singular value of the 6 x n Jacobian exceeds `sigma_min`:
/// J J^T - sigma_min^2 I is then positive definite.
bool well_conditioned(const std::vector<double>& jac, std::size_t n, double sigma_min) {
    double a[36];
    double probe[6] = {1, 1, 1, 1, 1, 1};
    for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 6; ++c) {
            double acc = 0.0;
            for (std::size_t j = 0; j < n; ++j) acc += jac[r * n + j] * jac[c * n + j];
            a[6 * r + c] = acc - (r == c ? sigma_min * sigma_min : 0.0);
        }
    }
    return solve6(a, probe);
}

/// Largest factor k <= 1 such that rates scaled by k, k^2, k^3 stay within (v, a, j).
double scale_for(double v, double a, double j, double v_lim, double a_lim, double j_lim) {
    double k = 1.0;
    if (v > 0.0) k = std::min(k, v_lim / v);
    if (a > 0.0) k = std::min(k, std::sqrt(a_lim / a));
    if (j > 0.0) k = std::min(k, std::cbrt(j_lim / j));
    return k;
}

/// The first invalid input (status kInvalidInput, joint and detail), or kOk.
CartesianError check_inputs(const Chain& chain, const std::vector<double>& start_q,
                            const std::vector<AxisLimits>& joint_limits,
                            const CartesianLimits& limits, const CartesianPlanOptions& options) {
    auto invalid = [](int joint, std::string detail) {
        CartesianError e;
        e.status = CartesianStatus::kInvalidInput;
        e.move = 0;
        e.joint = joint;
        e.detail = std::move(detail);
        return e;
    };
    const std::size_t n = chain.dof();
    if (n == 0) return invalid(-1, "the chain has no joints");
    if (start_q.size() != n || joint_limits.size() != n) {
        return invalid(-1, "the start configuration has " + std::to_string(start_q.size()) +
                               " values and the joint limits " + std::to_string(joint_limits.size()) +
                               "; the chain has " + std::to_string(n) + " joints");
    }
    for (std::size_t j = 0; j < n; ++j) {
        const int joint = static_cast<int>(j);
        if (!std::isfinite(start_q[j])) return invalid(joint, "the start position is not finite");
        const AxisLimits& l = joint_limits[j];
        const std::pair<const char*, double> fields[] = {
            {"velocity", l.velocity}, {"acceleration", l.acceleration}, {"jerk", l.jerk}};
        for (const auto& [name, value] : fields) {
            if (!std::isfinite(value) || !(value > 0.0)) {
                return invalid(joint, std::string("the joint's ") + name + " limit is " +
                                          std::to_string(value) + "; it must be a finite number > 0");
            }
        }
    }
    const std::pair<const char*, double> cartesian[] = {
        {"speed", limits.speed},
        {"acceleration", limits.acceleration},
        {"jerk", limits.jerk},
        {"angular_speed", limits.angular_speed},
        {"angular_acceleration", limits.angular_acceleration},
        {"angular_jerk", limits.angular_jerk}};
    for (const auto& [name, value] : cartesian) {
        if (!std::isfinite(value) || !(value > 0.0)) {
            return invalid(-1, std::string("the Cartesian ") + name + " limit is " +
                                   std::to_string(value) + "; it must be a finite number > 0");
        }
    }
    if (!(options.grid_step > 0.0) || !(options.min_singular_value >= 0.0) ||
        !(options.max_joint_step > 0.0) || !std::isfinite(options.grid_step) ||
        !std::isfinite(options.max_joint_step)) {
        return invalid(-1, "options: grid_step and max_joint_step must be finite numbers > 0 and "
                           "min_singular_value >= 0");
    }
    return {};
}

}  // namespace

const char* to_string(CartesianStatus status) {
    switch (status) {
        case CartesianStatus::kOk: return "ok";
        case CartesianStatus::kInvalidInput: return "invalid";
        case CartesianStatus::kUnreachable: return "unreachable";
        case CartesianStatus::kJointLimits: return "joint_limits";
        case CartesianStatus::kSingular: return "singular";
        case CartesianStatus::kInternal: return "internal";
    }
    return "unknown";
}

void CartesianTrajectory::solve(double s, double* q) const {
    const std::size_t n = chain_.dof();
    const double step = grid_s_.size() > 1 ? grid_s_[1] - grid_s_[0] : 1.0;
    const double x = std::clamp(s / step, 0.0, static_cast<double>(grid_s_.size() - 1));
    const std::size_t k = std::min(static_cast<std::size_t>(x), grid_s_.size() - 1);
    const std::size_t k1 = std::min(k + 1, grid_s_.size() - 1);
    const double f = x - static_cast<double>(k);
    std::array<double, Chain::kMaxDof> seed;
    for (std::size_t j = 0; j < n; ++j) {
        seed[j] = (1.0 - f) * grid_q_[k * n + j] + f * grid_q_[k1 * n + j];
    }
    static const IkOptions options = tracking_options();
    const IkResult r = chain_.ik(to_transform(path_.at(s)), seed.data(), options);
    std::copy(r.q.begin(), r.q.end(), q);
}

void CartesianTrajectory::rates(double s, const double* q, double* dq_ds) const {
    const std::size_t n = chain_.dof();
    std::vector<double> jac(6 * n);
    chain_.jacobian(q, jac.data());
    double x[6];
    path_rate(path_, s, x);
    if (!damped_pseudo_inverse_apply(jac.data(), n, x, 0.0, dq_ds)) {
        damped_pseudo_inverse_apply(jac.data(), n, x, 1e-9, dq_ds);
    }
}

void CartesianTrajectory::sample(const double* times, std::size_t count, double* q, double* qd,
                                 double* qdd, double* qddd) const {
    const std::size_t n = chain_.dof();
    const double h = kDerivativeStep;
    std::vector<double> q0(n), qm(n), qp(n), r0(n), rm(n), rp(n);
    int hint = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const AxisState st = timing_.at(times[i], hint);
        const double s = st.position;
        solve(s, q0.data());
        if (q) std::copy(q0.begin(), q0.end(), q + i * n);
        if (!qd && !qdd && !qddd) continue;
        rates(s, q0.data(), r0.data());
        if (qdd || qddd) {
            solve(s - h, qm.data());
            solve(s + h, qp.data());
            rates(s - h, qm.data(), rm.data());
            rates(s + h, qp.data(), rp.data());
        }
        const double v = st.velocity, a = st.acceleration, j = st.jerk;
        for (std::size_t k = 0; k < n; ++k) {
            const double d1 = r0[k];
            const double d2 = (qdd || qddd) ? (rp[k] - rm[k]) / (2.0 * h) : 0.0;
            const double d3 = (qdd || qddd) ? (rp[k] - 2.0 * r0[k] + rm[k]) / (h * h) : 0.0;
            if (qd) qd[i * n + k] = d1 * v;
            if (qdd) qdd[i * n + k] = d2 * v * v + d1 * a;
            if (qddd) qddd[i * n + k] = d3 * v * v * v + 3.0 * d2 * v * a + d1 * j;
        }
    }
}

void CartesianTrajectory::poses(const double* times, std::size_t count, double* out) const {
    int hint = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const Transform t = to_transform(path_.at(timing_.at(times[i], hint).position));
        double* m = out + 16 * i;
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) m[4 * r + c] = t.rotation[3 * r + c];
            m[4 * r + 3] = t.translation[r];
        }
        m[12] = m[13] = m[14] = 0.0;
        m[15] = 1.0;
    }
}

CartesianError CartesianTrajectory::build_grid(const std::vector<double>& start_q,
                                               const CartesianPlanOptions& options) {
    const std::size_t n = chain_.dof();
    const CartesianPath& p = path_;
    const double length = p.length();
    const std::size_t nodes =
        std::max<std::size_t>(64, static_cast<std::size_t>(std::ceil(length / options.grid_step))) + 1;
    grid_s_.resize(nodes);
    grid_q_.resize(nodes * n);
    std::vector<double> q(start_q), jac(6 * n);
    for (std::size_t k = 0; k < nodes; ++k) {
        const double s = length * static_cast<double>(k) / static_cast<double>(nodes - 1);
        const IkResult r = chain_.ik(to_transform(p.at(s)), q.data(), tracking_options());
        if (r.status != IkStatus::kOk) {
            int joint = -1;
            for (std::size_t j = 0; j < n; ++j) {
                const ChainJoint& cj = chain_.joint(j);
                if (r.q[j] <= cj.lower + 1e-6 || r.q[j] >= cj.upper - 1e-6) joint = static_cast<int>(j);
            }
            const CartesianStatus why = joint >= 0 ? CartesianStatus::kJointLimits
                                        : r.status == IkStatus::kSingular ? CartesianStatus::kSingular
                                                                         : CartesianStatus::kUnreachable;
            return fail(why, p, s, joint,
                        "no joint configuration reaches the pose there (best position error " +
                            std::to_string(r.position_error) + " m)");
        }
        for (std::size_t j = 0; j < n && k > 0; ++j) {
            if (std::abs(r.q[j] - q[j]) > options.max_joint_step) {
                return fail(CartesianStatus::kSingular, p, s, static_cast<int>(j),
                            "the joints would jump (" + std::to_string(r.q[j] - q[j]) +
                                " rad between neighbouring path points): the path passes through "
                                "or near a singularity");
            }
        }
        q = r.q;
        chain_.jacobian(q.data(), jac.data());
        if (!well_conditioned(jac, n, options.min_singular_value)) {
            return fail(CartesianStatus::kSingular, p, s, -1,
                        "the arm is at or near a singular configuration there");
        }
        grid_s_[k] = s;
        std::copy(q.begin(), q.end(), grid_q_.begin() + static_cast<long>(k * n));
    }
    return {};
}

std::vector<double> CartesianTrajectory::scales_at(const std::vector<double>& times,
                                                   const std::vector<AxisLimits>& joint_limits,
                                                   const CartesianLimits& limits) const {
    const std::size_t n = chain_.dof(), count = times.size();
    std::vector<double> qd(count * n), qdd(count * n), qddd(count * n), k(count, 1.0);
    sample(times.data(), count, nullptr, qd.data(), qdd.data(), qddd.data());
    const double h = kDerivativeStep;
    int hint = 0;
    for (std::size_t i = 0; i < count; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const AxisLimits& l = joint_limits[j];
            k[i] = std::min(k[i], scale_for(std::abs(qd[i * n + j]), std::abs(qdd[i * n + j]),
                                            std::abs(qddd[i * n + j]), l.velocity, l.acceleration, l.jerk));
        }
        // Cartesian translation (rows 0-2) and rotation (rows 3-5) at the same instant.
        const AxisState st = timing_.at(times[i], hint);
        double x0[6], xm[6], xp[6];
        path_rate(path_, st.position, x0);
        path_rate(path_, st.position - h, xm);
        path_rate(path_, st.position + h, xp);
        for (int part = 0; part < 2; ++part) {
            double v2 = 0.0, a2 = 0.0, j2 = 0.0;
            for (int c = 3 * part; c < 3 * part + 3; ++c) {
                const double d1 = x0[c], d2 = (xp[c] - xm[c]) / (2.0 * h);
                const double d3 = (xp[c] - 2.0 * x0[c] + xm[c]) / (h * h);
                const double v = st.velocity, acc = st.acceleration;
                const double rate = d1 * v, accel = d2 * v * v + d1 * acc;
                const double jerk = d3 * v * v * v + 3.0 * d2 * v * acc + d1 * st.jerk;
                v2 += rate * rate;
                a2 += accel * accel;
                j2 += jerk * jerk;
            }
            const bool translation = part == 0;
            k[i] = std::min(k[i], scale_for(std::sqrt(v2), std::sqrt(a2), std::sqrt(j2),
                                            translation ? limits.speed : limits.angular_speed,
                                            translation ? limits.acceleration : limits.angular_acceleration,
                                            translation ? limits.jerk : limits.angular_jerk));
        }
    }
    return k;
}

double CartesianTrajectory::limit_scale(const std::vector<AxisLimits>& joint_limits,
                                        const CartesianLimits& limits) const {
    const std::size_t checks =
        std::max<std::size_t>(400, static_cast<std::size_t>(std::ceil(duration() * 1000.0)));
    std::vector<double> times(checks);
    for (std::size_t i = 0; i < checks; ++i) {
        times[i] = duration() * static_cast<double>(i) / static_cast<double>(checks - 1);
    }
    const std::vector<double> k = scales_at(times, joint_limits, limits);
    return *std::min_element(k.begin(), k.end());
}

CartesianError CartesianTrajectory::plan(const Chain& chain, const std::vector<double>& start_q,
                                         CartesianPath path,
                                         const std::vector<AxisLimits>& joint_limits,
                                         const CartesianLimits& limits,
                                         const CartesianPlanOptions& options,
                                         CartesianTrajectory& out) {
    if (CartesianError e = check_inputs(chain, start_q, joint_limits, limits, options);
        e.status != CartesianStatus::kOk) {
        return e;
    }
    out.chain_ = chain;
    out.path_ = std::move(path);
    const CartesianPath& p = out.path_;
    const double length = p.length();
    if (!(length > 0.0) || !std::isfinite(length)) {
        return fail(CartesianStatus::kInvalidInput, p, 0.0, -1,
                    "the path length is " + std::to_string(length) + "; it must be finite and > 0");
    }
    if (CartesianError e = out.build_grid(start_q, options); e.status != CartesianStatus::kOk) {
        return e;
    }
    // 2. A time-optimal profile along s under the Cartesian limits.
    Profile nominal;
    if (!plan_time_optimal(0.0, 0.0, 0.0, length,
                           AxisLimits{limits.speed, limits.acceleration, limits.jerk}, nominal)) {
        return fail(CartesianStatus::kInternal, p, 0.0, -1,
                    "no jerk-limited profile along the path (length " + std::to_string(length) +
                        " m): a planner defect, please report the path and limits");
    }
    nominal.settle(length);
    out.timing_ = PathTiming(nominal);
    // 3. Slow down where the joints (or the path's curvature) need it, then check everything
    //    densely and scale uniformly whatever the override's own ramps still exceed.
    std::vector<double> grid(out.timing_.grid_size());
    for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = out.timing_.tau_grid_time(i);
    std::vector<double> needed = out.scales_at(grid, joint_limits, limits);
    if (*std::min_element(needed.begin(), needed.end()) < 1.0) {
        for (double& k : needed) k *= 1.0 - kLimitMargin;
        out.timing_.set_override(needed, std::min(kOverrideWindow, nominal.duration() / 4.0));
    }
    // Uniform scaling is exact (rates scale by k, k², k³), so one pass normally suffices; the
    // dense check is repeated after each, and a motion that still exceeds a limit is refused.
    double k = out.limit_scale(joint_limits, limits);
    for (int pass = 0; k < 1.0 && pass < kMaxScalingPasses; ++pass) {
        out.timing_.scale(k * (1.0 - kLimitMargin));
        k = out.limit_scale(joint_limits, limits);
    }
    if (k < 1.0) {
        return fail(CartesianStatus::kInternal, p, 0.0, -1,
                    "after " + std::to_string(kMaxScalingPasses) +
                        " uniform slow-downs the motion still exceeds a limit (by a factor " +
                        std::to_string(1.0 / k) + "): a planner defect, please report the path");
    }
    out.time_scale_ = out.timing_.nominal_duration() / out.timing_.duration();
    return {};
}

}  // namespace cellctl::motion
