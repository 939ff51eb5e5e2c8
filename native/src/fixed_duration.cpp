// Profiles that reach a target at rest in a prescribed duration (time synchronisation).
//
// The family used: change velocity as fast as possible to a cruise velocity vc, cruise, stop as
// fast as possible. Lowering vc lengthens the motion continuously and without bound, so the
// duration is met by bracketed root finding on vc over closed-form timings; the Profile is built
// once at the end. The family's fastest member can be slightly slower than the time-optimal
// profile (which may never reach zero acceleration before its final braking); between the two,
// the time-optimal profile is followed by a dwell at the target.
#include <algorithm>
#include <cmath>
#include <limits>

#include "cellctl/motion/roots.hpp"
#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {
namespace {

/// Cruise velocity of the rest-to-rest cruise family lasting `duration`, in closed form; 0 when
/// no member fits. With the acceleration limit reached, vc/A + A/J + |d|/vc = T is a quadratic
/// in vc; without, 2*sqrt(vc/J) + |d|/vc = T is a cubic in u = sqrt(vc/J) whose smallest
/// positive root is the slow cruise we want.
double cruise_velocity_from_rest(double distance, const AxisLimits& lim, double duration) {
    const double A = lim.acceleration, J = lim.jerk, d = std::abs(distance), T = duration;
    const double b = T - A / J;
    const double disc = b * b - 4.0 * d / A;
    if (disc >= 0.0) {
        const double vc = 2.0 * d / (b + std::sqrt(disc));  // smaller root, stably
        if (vc >= A * A / J) return std::copysign(vc, distance);
    }
    // u^3 - (T/2) u^2 + d/(2J) = 0, depressed with u = x + T/6: x^3 + p x + q = 0.
    const double p = -T * T / 12.0, q = -T * T * T / 108.0 + d / (2.0 * J);
    if (4.0 * p * p * p + 27.0 * q * q > 0.0) return 0.0;  // one real root: negative
    // Three real roots T/6 + m cos(phi - 2 pi k / 3), in decreasing order for k = 0, 1, 2. Their
    // product is -d/(2J) < 0 and their sum T/2 > 0: two are positive, and the smallest of those
    // is k = 1.
    const double m = 2.0 * std::sqrt(-p / 3.0);
    const double phi = std::acos(std::clamp(3.0 * q / (p * m), -1.0, 1.0)) / 3.0;
    const double u = T / 6.0 + m * std::cos(phi - 2.0 * M_PI / 3.0);
    if (!(u > 0.0)) return 0.0;
    const double vc = J * u * u;
    return std::isfinite(vc) && vc <= A * A / J ? std::copysign(vc, distance) : 0.0;
}

}  // namespace

bool plan_fixed_duration(double p0, double v0, double a0, double target, const AxisLimits& lim,
                         double duration, const Profile& time_optimal, Profile& out) {
    const double slack = duration - time_optimal.duration();
    auto dwell_after_optimal = [&] {
        out = time_optimal;
        out.push(slack, 0.0);
        return true;
    };
    if (slack <= 1e-12 * (1.0 + duration)) {
        out = time_optimal;
        return true;
    }
    const double distance = target - p0;
    const VelocityChange brake = velocity_change(v0, a0, 0.0, lim);
    const double miss = distance - brake.distance;
    if (miss == 0.0) return dwell_after_optimal();
    const double s = miss > 0.0 ? 1.0 : -1.0;

    if (v0 == 0.0 && a0 == 0.0) {
        const double vc = cruise_velocity_from_rest(distance, lim, duration);
        if (vc != 0.0 && std::abs(vc) <= rest_to_rest_peak_velocity(distance, lim)) {
            const CruisePlan plan = cruise_plan(v0, a0, distance, lim, vc);
            if (plan.cruise >= 0.0) {
                build_cruise(plan, p0, v0, a0, out);
                return true;
            }
        }
    }
    auto late = [&](double vc) { return cruise_plan(v0, a0, distance, lim, vc).duration - duration; };
    // Slow bracket: cruising at the mean speed of what is left takes at least the duration.
    double v_slow = s * std::min(std::abs(miss) / duration, lim.velocity);
    double f_slow = late(v_slow);
    for (int i = 0; i < 200 && !(f_slow > 0.0); ++i) {
        v_slow *= 0.5;
        f_slow = late(v_slow);
    }
    if (!(f_slow > 0.0)) return dwell_after_optimal();
    // Solves between the slow bracket and v_fast; false when the root is not a valid cruise.
    auto solve_up_to = [&](double v_fast) {
        const double f_fast = late(v_fast);
        if (f_fast > 0.0) return false;
        const CruisePlan plan =
            cruise_plan(v0, a0, distance, lim, refine_root(late, v_slow, v_fast, f_slow, f_fast));
        if (plan.cruise < 0.0) return false;
        build_cruise(plan, p0, v0, a0, out);
        return true;
    };
    // Usually the root lies below the velocity limit and is a valid cruise: one search.
    if (solve_up_to(s * lim.velocity)) return true;
    // Otherwise bound the search by the fastest cruise that still stops at the target.
    auto overshoot = [&](double vc) {
        const double d = velocity_change(v0, a0, vc, lim).distance +
                         velocity_change(vc, 0.0, 0.0, lim).distance;
        return s * (d - distance);
    };
    const double v_cap = s * lim.velocity;
    const double v_fast = refine_root(overshoot, 0.0, v_cap, overshoot(0.0), overshoot(v_cap));
    return solve_up_to(v_fast) || dwell_after_optimal();
}

bool plan_fixed_duration_from_rest(double p0, double target, const AxisLimits& lim,
                                   double duration, Profile& out) {
    const double distance = target - p0;
    if (distance != 0.0) {
        // A cruise at vc never exceeds the optimum's peak when its cruise phase is not negative.
        const double vc = cruise_velocity_from_rest(distance, lim, duration);
        if (vc != 0.0 && std::abs(vc) <= lim.velocity) {
            const CruisePlan plan = cruise_plan(0.0, 0.0, distance, lim, vc);
            if (plan.cruise >= 0.0) {
                build_cruise(plan, p0, 0.0, 0.0, out);
                return true;
            }
        }
    }
    Profile optimal;
    return plan_time_optimal(p0, 0.0, 0.0, target, lim, optimal) &&
           plan_fixed_duration(p0, 0.0, 0.0, target, lim, duration, optimal, out);
}

}  // namespace cellctl::motion
