#include "cellctl/motion/joint_planner.hpp"

#include <algorithm>
#include <cmath>

#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {
namespace {

constexpr double kCollinearTolerance = 1e-12;  // relative: states proportional to the leader's
constexpr double kLimitSlack = 1e-12;          // relative: scaled profiles within the limits

PlanError fail(PlanStatus status, int joint, const char* field, double value) {
    return PlanError{status, joint, field, value};
}

PlanError check_limits(const std::vector<AxisLimits>& limits) {
    for (std::size_t i = 0; i < limits.size(); ++i) {
        const AxisLimits& l = limits[i];
        const int j = static_cast<int>(i);
        const std::pair<const char*, double> fields[] = {
            {"velocity limit", l.velocity}, {"acceleration limit", l.acceleration},
            {"jerk limit", l.jerk}};
        for (const auto& [name, value] : fields) {
            if (!std::isfinite(value)) return fail(PlanStatus::kNonFinite, j, name, value);
            if (!(value > 0.0)) return fail(PlanStatus::kBadLimit, j, name, value);
        }
    }
    return {};
}

PlanError check_finite(const std::vector<double>& values, const char* field) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            return fail(PlanStatus::kNonFinite, static_cast<int>(i), field, values[i]);
        }
    }
    return {};
}

PlanError check_start_state(const std::vector<double>& v, const std::vector<double>& a,
                            const std::vector<AxisLimits>& limits) {
    for (std::size_t i = 0; i < limits.size(); ++i) {
        const int j = static_cast<int>(i);
        if (std::abs(a[i]) > limits[i].acceleration * (1.0 + 1e-9)) {
            return fail(PlanStatus::kStartOutsideLimits, j, "start acceleration", a[i]);
        }
        if (std::abs(v[i]) > limits[i].velocity * (1.0 + 1e-9)) {
            return fail(PlanStatus::kStartOutsideLimits, j, "start velocity", v[i]);
        }
        if (!start_state_consistent(v[i], a[i], limits[i])) {
            // The velocity will pass the limit before the acceleration can be brought to zero.
            return fail(PlanStatus::kStartOutsideLimits, j, "start velocity (with its acceleration)",
                        v[i]);
        }
    }
    return {};
}

/// Ratio k of joint i's state to the leader's, when every component is proportional; else NaN.
double proportion(double di, double vi, double ai, double dl, double vl, double al, double scale_d,
                  double scale_v, double scale_a) {
    // Compare components normalised by their magnitudes across all joints (units differ).
    const double nd = dl / scale_d, nv = vl / scale_v, na = al / scale_a;
    double k;
    if (std::abs(nd) >= std::abs(nv) && std::abs(nd) >= std::abs(na)) {
        k = di / dl;
    } else if (std::abs(nv) >= std::abs(na)) {
        k = vi / vl;
    } else {
        k = ai / al;
    }
    const double tol = kCollinearTolerance;
    if (std::abs(di - k * dl) > tol * scale_d || std::abs(vi - k * vl) > tol * scale_v ||
        std::abs(ai - k * al) > tol * scale_a) {
        return std::nan("");
    }
    return k;
}

double max_abs(const std::vector<double>& x) {
    double m = 0.0;
    for (double xi : x) m = std::max(m, std::abs(xi));
    return m > 0.0 ? m : 1.0;
}

/// Scales the leader's profile to every joint when all are collinear with it and stay within
/// their limits. Returns false (and leaves `axes` untouched) otherwise.
bool phase_synchronize(const std::vector<double>& start, const std::vector<double>& displacement,
                       const std::vector<double>& v0, const std::vector<double>& a0,
                       const std::vector<AxisLimits>& limits, std::size_t leader,
                       const Profile& lead, std::vector<Profile>& axes) {
    const std::size_t dof = start.size();
    const double sd = max_abs(displacement), sv = max_abs(v0), sa = max_abs(a0);
    const ProfileExtremes e = lead.extremes();
    std::vector<double> ratio(dof);
    for (std::size_t i = 0; i < dof; ++i) {
        const double k = proportion(displacement[i], v0[i], a0[i], displacement[leader], v0[leader],
                                    a0[leader], sd, sv, sa);
        if (std::isnan(k)) return false;
        const double ak = std::abs(k);
        const double slack = 1.0 + kLimitSlack;
        if (ak * e.velocity > limits[i].velocity * slack ||
            ak * e.acceleration > limits[i].acceleration * slack ||
            ak * e.jerk > limits[i].jerk * slack) {
            return false;
        }
        ratio[i] = k;
    }
    for (std::size_t i = 0; i < dof; ++i) {
        axes[i] = i == leader ? lead : lead.scaled(ratio[i], start[i]);
        // Scaling reproduces the joint's own start velocity/acceleration up to rounding; keep
        // its exact start so sampling at t = 0 returns what the caller gave.
        if (i != leader) {
            Profile exact;
            exact.reset(start[i], v0[i], a0[i]);
            for (int p = 0; p < axes[i].phases(); ++p) {
                exact.push(axes[i].phase_duration(p), axes[i].phase_jerk(p));
            }
            axes[i] = exact;
        }
    }
    return true;
}

}  // namespace

PlanError plan_ptp(const PtpRequest& rq, JointTrajectory& out) {
    const std::size_t dof = rq.start.size();
    if (dof == 0) return fail(PlanStatus::kEmpty, -1, "start", 0.0);
    for (const auto* field : {&rq.start, &rq.goal, &rq.start_velocity, &rq.start_acceleration}) {
        if (field->size() != dof) return fail(PlanStatus::kLengthMismatch, -1, "length", field->size());
    }
    if (rq.limits.size() != dof) return fail(PlanStatus::kLengthMismatch, -1, "limits", rq.limits.size());
    for (const auto& [values, name] :
         {std::pair{&rq.start, "start position"}, {&rq.goal, "goal position"},
          {&rq.start_velocity, "start velocity"}, {&rq.start_acceleration, "start acceleration"}}) {
        if (PlanError e = check_finite(*values, name); e.status != PlanStatus::kOk) return e;
    }
    if (PlanError e = check_limits(rq.limits); e.status != PlanStatus::kOk) return e;
    if (PlanError e = check_start_state(rq.start_velocity, rq.start_acceleration, rq.limits);
        e.status != PlanStatus::kOk) {
        return e;
    }

    std::vector<Profile> optimal(dof);
    std::size_t leader = 0;
    for (std::size_t i = 0; i < dof; ++i) {
        if (!plan_time_optimal(rq.start[i], rq.start_velocity[i], rq.start_acceleration[i],
                               rq.goal[i], rq.limits[i], optimal[i])) {
            return fail(PlanStatus::kInternal, static_cast<int>(i), "goal position", rq.goal[i]);
        }
        if (optimal[i].duration() > optimal[leader].duration()) leader = i;
    }
    const double duration = optimal[leader].duration();

    std::vector<double> displacement(dof);
    for (std::size_t i = 0; i < dof; ++i) displacement[i] = rq.goal[i] - rq.start[i];
    std::vector<Profile> axes(dof);
    const bool phase_synced = phase_synchronize(rq.start, displacement, rq.start_velocity,
                                                rq.start_acceleration, rq.limits, leader,
                                                optimal[leader], axes);
    for (std::size_t i = 0; i < dof && !phase_synced; ++i) {
        if (!plan_fixed_duration(rq.start[i], rq.start_velocity[i], rq.start_acceleration[i],
                                 rq.goal[i], rq.limits[i], duration, optimal[i], axes[i])) {
            return fail(PlanStatus::kInternal, static_cast<int>(i), "goal position", rq.goal[i]);
        }
    }
    for (std::size_t i = 0; i < dof; ++i) axes[i].settle(rq.goal[i]);
    out = JointTrajectory(std::move(axes), phase_synced);
    return {};
}

PlanError plan_stop(const std::vector<double>& position, const std::vector<double>& velocity,
                    const std::vector<double>& acceleration, const std::vector<AxisLimits>& limits,
                    JointTrajectory& out) {
    const std::size_t dof = position.size();
    if (dof == 0) return fail(PlanStatus::kEmpty, -1, "position", 0.0);
    if (velocity.size() != dof || acceleration.size() != dof || limits.size() != dof) {
        return fail(PlanStatus::kLengthMismatch, -1, "length", 0.0);
    }
    for (const auto& [values, name] : {std::pair{&position, "position"}, {&velocity, "velocity"},
                                       {&acceleration, "acceleration"}}) {
        if (PlanError e = check_finite(*values, name); e.status != PlanStatus::kOk) return e;
    }
    if (PlanError e = check_limits(limits); e.status != PlanStatus::kOk) return e;
    if (PlanError e = check_start_state(velocity, acceleration, limits);
        e.status != PlanStatus::kOk) {
        return e;
    }
    std::vector<Profile> brakes(dof);
    std::size_t leader = 0;
    for (std::size_t i = 0; i < dof; ++i) {
        brakes[i].reset(position[i], velocity[i], acceleration[i]);
        append_velocity_change(brakes[i], 0.0, limits[i]);
        if (brakes[i].duration() > brakes[leader].duration()) leader = i;
    }
    // The stopping distance follows from the state, so only velocity and acceleration need to be
    // proportional for the leader's scaled brake to stop every joint on the line.
    const std::vector<double> free_target(dof, 0.0);
    std::vector<Profile> axes(dof);
    const bool phase_synced = phase_synchronize(position, free_target, velocity, acceleration,
                                                limits, leader, brakes[leader], axes);
    if (!phase_synced) axes = std::move(brakes);
    for (Profile& axis : axes) axis.settle(axis.end().position);
    out = JointTrajectory(std::move(axes), phase_synced);
    return {};
}

}  // namespace cellctl::motion
