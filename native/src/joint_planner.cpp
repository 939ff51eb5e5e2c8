#include "cellctl/motion/joint_planner.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {
namespace {

constexpr double kCollinearTolerance = 1e-12;  // relative: states proportional to the leader's
constexpr double kLimitSlack = 1e-12;          // relative: scaled profiles within the limits

PlanError fail(PlanStatus status, int joint, const char* field, double value) {
    return PlanError{status, joint, field, value};
}

/// Limits of joint i, read from one AxisLimits per joint or from a (3, dof) table.
struct LimitTable {
    const AxisLimits* rows = nullptr;
    const double* table = nullptr;
    std::size_t dof = 0;
    AxisLimits operator[](std::size_t i) const {
        return rows ? rows[i] : AxisLimits{table[i], table[dof + i], table[2 * dof + i]};
    }
};

PlanError check_limits(const LimitTable& limits, std::size_t dof) {
    for (std::size_t i = 0; i < dof; ++i) {
        const AxisLimits l = limits[i];
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

PlanError check_finite(const double* values, std::size_t dof, const char* field) {
    for (std::size_t i = 0; i < dof; ++i) {
        if (!std::isfinite(values[i])) {
            return fail(PlanStatus::kNonFinite, static_cast<int>(i), field, values[i]);
        }
    }
    return {};
}

PlanError check_start_state(const double* v, const double* a, const LimitTable& limits,
                            std::size_t dof) {
    for (std::size_t i = 0; i < dof; ++i) {
        const int j = static_cast<int>(i);
        const AxisLimits l = limits[i];
        if (std::abs(a[i]) > l.acceleration * (1.0 + 1e-9)) {
            return fail(PlanStatus::kStartOutsideLimits, j, "start acceleration", a[i]);
        }
        if (std::abs(v[i]) > l.velocity * (1.0 + 1e-9)) {
            return fail(PlanStatus::kStartOutsideLimits, j, "start velocity", v[i]);
        }
        if (!start_state_consistent(v[i], a[i], l)) {
            // The velocity will pass the limit before the acceleration can be brought to zero.
            return fail(PlanStatus::kStartOutsideLimits, j, "start velocity (with its acceleration)",
                        v[i]);
        }
    }
    return {};
}

/// The checks every request passes before planning: finite values, positive limits, a start
/// state the limits can keep. `goal` is null for a stop.
PlanError check_request(std::size_t dof, const double* start, const double* goal, const double* v0,
                        const double* a0, const LimitTable& limits, bool stop) {
    const std::pair<const double*, const char*> fields[] = {
        {start, stop ? "position" : "start position"}, {goal, "goal position"},
        {v0, stop ? "velocity" : "start velocity"}, {a0, stop ? "acceleration" : "start acceleration"}};
    for (const auto& [values, name] : fields) {
        if (!values) continue;
        if (PlanError e = check_finite(values, dof, name); e.status != PlanStatus::kOk) return e;
    }
    if (PlanError e = check_limits(limits, dof); e.status != PlanStatus::kOk) return e;
    return check_start_state(v0, a0, limits, dof);
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

double max_abs(const double* x, std::size_t n) {
    double m = 0.0;
    for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::abs(x[i]));
    return m > 0.0 ? m : 1.0;
}

/// One joint's move: goal - start, or 0 for a stop (whose distance follows from the state).
double displacement(const double* start, const double* goal, std::size_t i) {
    return goal ? goal[i] - start[i] : 0.0;
}

/// Scales the leader's profile (axes[leader]) to every joint when all are collinear with it
/// and stay within their limits. Returns false (and leaves `axes` untouched) otherwise.
bool phase_synchronize(std::size_t dof, const double* start, const double* goal, const double* v0,
                       const double* a0, const LimitTable& limits, std::size_t leader,
                       std::vector<Profile>& axes) {
    double sd = 1.0;
    if (goal) {
        sd = 0.0;
        for (std::size_t i = 0; i < dof; ++i) sd = std::max(sd, std::abs(goal[i] - start[i]));
        if (!(sd > 0.0)) sd = 1.0;
    }
    const double sv = max_abs(v0, dof), sa = max_abs(a0, dof);
    const double dl = displacement(start, goal, leader);
    auto ratio = [&](std::size_t i) {
        return proportion(displacement(start, goal, i), v0[i], a0[i], dl, v0[leader], a0[leader],
                          sd, sv, sa);
    };
    const Profile& lead = axes[leader];
    const ProfileExtremes e = lead.extremes();
    const double slack = 1.0 + kLimitSlack;
    for (std::size_t i = 0; i < dof; ++i) {  // all must fit before any is changed
        const double ak = std::abs(ratio(i));
        const AxisLimits l = limits[i];
        if (std::isnan(ak) || ak * e.velocity > l.velocity * slack ||
            ak * e.acceleration > l.acceleration * slack || ak * e.jerk > l.jerk * slack) {
            return false;
        }
    }
    for (std::size_t i = 0; i < dof; ++i) {
        if (i == leader) continue;
        // The leader's timing with jerks scaled, from the joint's own exact start state.
        const double k = ratio(i);
        Profile& axis = axes[i];
        axis.reset(start[i], v0[i], a0[i]);
        for (int p = 0; p < lead.phases(); ++p) axis.push(lead.phase_duration(p), k * lead.phase_jerk(p));
    }
    return true;
}

/// plan_ptp for validated-length input; the two public overloads differ only in storage.
PlanError plan_ptp_checked(std::size_t dof, const double* start, const double* goal,
                           const double* v0, const double* a0, const LimitTable& limits,
                           JointTrajectory& out) {
    if (PlanError e = check_request(dof, start, goal, v0, a0, limits, false);
        e.status != PlanStatus::kOk) {
        return e;
    }
    // Each joint's optimal duration picks the leader. From rest it is known in closed form, so
    // only the leader's profile is built; a moving joint's optimum is built (time
    // synchronisation may need it).
    std::vector<Profile> axes(dof);
    std::size_t leader = 0;
    double duration = -1.0;
    for (std::size_t i = 0; i < dof; ++i) {
        double t;
        if (v0[i] == 0.0 && a0[i] == 0.0) {
            t = rest_to_rest_plan(goal[i] - start[i], limits[i]).duration;
        } else {
            if (!plan_time_optimal(start[i], v0[i], a0[i], goal[i], limits[i], axes[i])) {
                return fail(PlanStatus::kInternal, static_cast<int>(i), "goal position", goal[i]);
            }
            t = axes[i].duration();
        }
        if (t > duration) {
            duration = t;
            leader = i;
        }
    }
    if (v0[leader] == 0.0 && a0[leader] == 0.0) {
        plan_time_optimal(start[leader], 0.0, 0.0, goal[leader], limits[leader], axes[leader]);
    }
    duration = axes[leader].duration();
    const bool phase_synced = phase_synchronize(dof, start, goal, v0, a0, limits, leader, axes);
    for (std::size_t i = 0; i < dof && !phase_synced; ++i) {
        if (i == leader) continue;  // already lasts `duration`
        bool ok;
        if (v0[i] == 0.0 && a0[i] == 0.0) {
            ok = plan_fixed_duration_from_rest(start[i], goal[i], limits[i], duration, axes[i]);
        } else {
            const Profile optimal = axes[i];
            ok = plan_fixed_duration(start[i], v0[i], a0[i], goal[i], limits[i], duration, optimal,
                                     axes[i]);
        }
        if (!ok) return fail(PlanStatus::kInternal, static_cast<int>(i), "goal position", goal[i]);
    }
    for (std::size_t i = 0; i < dof; ++i) axes[i].settle(goal[i]);
    out = JointTrajectory(std::move(axes), phase_synced);
    return {};
}

}  // namespace

PlanError plan_ptp(const PtpRequest& rq, JointTrajectory& out) {
    const std::size_t dof = rq.start.size();
    if (dof == 0) return fail(PlanStatus::kEmpty, -1, "start", 0.0);
    for (const auto* field : {&rq.start, &rq.goal, &rq.start_velocity, &rq.start_acceleration}) {
        if (field->size() != dof) return fail(PlanStatus::kLengthMismatch, -1, "length", field->size());
    }
    if (rq.limits.size() != dof) return fail(PlanStatus::kLengthMismatch, -1, "limits", rq.limits.size());
    return plan_ptp_checked(dof, rq.start.data(), rq.goal.data(), rq.start_velocity.data(),
                            rq.start_acceleration.data(), LimitTable{rq.limits.data()}, out);
}

PlanError plan_ptp(const PtpView& rq, JointTrajectory& out) {
    if (rq.dof == 0) return fail(PlanStatus::kEmpty, -1, "start", 0.0);
    return plan_ptp_checked(rq.dof, rq.start, rq.goal, rq.start_velocity, rq.start_acceleration,
                            LimitTable{nullptr, rq.limits, rq.dof}, out);
}

PlanError plan_stop(const std::vector<double>& position, const std::vector<double>& velocity,
                    const std::vector<double>& acceleration, const std::vector<AxisLimits>& limits,
                    JointTrajectory& out) {
    const std::size_t dof = position.size();
    if (dof == 0) return fail(PlanStatus::kEmpty, -1, "position", 0.0);
    if (velocity.size() != dof || acceleration.size() != dof || limits.size() != dof) {
        return fail(PlanStatus::kLengthMismatch, -1, "length", 0.0);
    }
    const LimitTable table{limits.data()};
    const double *p = position.data(), *v = velocity.data(), *a = acceleration.data();
    if (PlanError e = check_request(dof, p, nullptr, v, a, table, true); e.status != PlanStatus::kOk) {
        return e;
    }
    std::vector<Profile> axes(dof);
    std::size_t leader = 0;
    for (std::size_t i = 0; i < dof; ++i) {
        axes[i].reset(p[i], v[i], a[i]);
        append_velocity_change(axes[i], 0.0, limits[i]);
        if (axes[i].duration() > axes[leader].duration()) leader = i;
    }
    // The stopping distance follows from the state, so only velocity and acceleration need to be
    // proportional for the leader's scaled brake to stop every joint on the line.
    const bool phase_synced = phase_synchronize(dof, p, nullptr, v, a, table, leader, axes);
    for (Profile& axis : axes) axis.settle(axis.end().position);
    out = JointTrajectory(std::move(axes), phase_synced);
    return {};
}

}  // namespace cellctl::motion
