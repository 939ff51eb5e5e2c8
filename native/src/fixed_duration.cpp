// Profiles that reach a target at rest in a prescribed duration (time synchronisation).
//
// The family used: change velocity as fast as possible to a cruise velocity vc, cruise, stop as
// fast as possible. Lowering vc lengthens the motion continuously and without bound, so the
// duration is met by bracketed root finding on vc. The family's shortest member can be slightly
// slower than the time-optimal profile (which may never reach zero acceleration before its final
// braking); between the two the time-optimal profile is followed by a dwell at the target.
#include <cmath>

#include "cellctl/motion/roots.hpp"
#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {
namespace {

/// Velocity change to vc, a cruise that lands on the target, stop. Returns the cruise time
/// (negative when vc is too fast to stop at the target).
double build_cruise(double p0, double v0, double a0, double target, const AxisLimits& lim,
                    double vc, Profile& out) {
    out.reset(p0, v0, a0);
    append_velocity_change(out, vc, lim);
    const int before_stop = out.phases();
    append_velocity_change(out, 0.0, lim);
    const double cruise = (target - out.end().position) / vc;
    // Rebuild with the cruise inserted between the two velocity changes.
    Profile stop_only = out;
    out.reset(p0, v0, a0);
    for (int i = 0; i < before_stop; ++i) out.push(stop_only.phase_duration(i), stop_only.phase_jerk(i));
    out.push(cruise, 0.0);
    for (int i = before_stop; i < stop_only.phases(); ++i) {
        out.push(stop_only.phase_duration(i), stop_only.phase_jerk(i));
    }
    return cruise;
}

}  // namespace

bool plan_fixed_duration(double p0, double v0, double a0, double target, const AxisLimits& lim,
                         double duration, const Profile& time_optimal, Profile& out) {
    const double slack = duration - time_optimal.duration();
    if (slack <= 1e-12 * (1.0 + duration)) {
        out = time_optimal;
        return true;
    }
    Profile brake;
    brake.reset(p0, v0, a0);
    append_velocity_change(brake, 0.0, lim);
    const double miss = target - brake.end().position;
    auto dwell_after_optimal = [&] {
        out = time_optimal;
        out.push(duration - time_optimal.duration(), 0.0);
        return true;
    };
    if (miss == 0.0) return dwell_after_optimal();
    const double s = miss > 0.0 ? 1.0 : -1.0;

    // Fastest cruise velocity that still stops at the target.
    Profile trial;
    double v_cap = s * lim.velocity;
    if (build_cruise(p0, v0, a0, target, lim, v_cap, trial) < 0.0) {
        auto overshoot = [&](double vc) {
            Profile pr;
            pr.reset(p0, v0, a0);
            append_velocity_change(pr, vc, lim);
            append_velocity_change(pr, 0.0, lim);
            return s * (pr.end().position - target);
        };
        v_cap = refine_root(overshoot, 0.0, v_cap, overshoot(0.0), overshoot(v_cap));
    }
    auto late = [&](double vc) {
        if (vc == 0.0) return 1.0;  // cruising at zero velocity never arrives
        build_cruise(p0, v0, a0, target, lim, vc, trial);
        return trial.duration() - duration;
    };
    const double f_cap = late(v_cap);
    if (f_cap > 0.0) return dwell_after_optimal();
    // Slow cruise velocities take arbitrarily long: halve until too slow, then refine.
    double v_slow = v_cap;
    double f_slow = f_cap;
    for (int i = 0; i < 200 && f_slow <= 0.0; ++i) {
        v_slow *= 0.5;
        f_slow = late(v_slow);
    }
    if (f_slow <= 0.0) return dwell_after_optimal();
    const double vc = refine_root(late, v_slow, v_cap, f_slow, f_cap);
    const double cruise = build_cruise(p0, v0, a0, target, lim, vc, out);
    if (cruise < 0.0) return dwell_after_optimal();
    return true;
}

}  // namespace cellctl::motion
