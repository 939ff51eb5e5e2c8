#include <algorithm>
#include <cmath>

#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {

bool start_state_consistent(double v0, double a0, const AxisLimits& lim, double tol) {
    const double v_zero = v0 + a0 * std::abs(a0) / (2.0 * lim.jerk);
    return std::abs(a0) <= lim.acceleration * (1.0 + tol) &&
           std::abs(v0) <= lim.velocity * (1.0 + tol) &&
           std::abs(v_zero) <= lim.velocity * (1.0 + tol);
}

VelocityChange velocity_change(double v0, double a0, double v_target, const AxisLimits& lim) {
    const double J = lim.jerk, A = lim.acceleration;
    VelocityChange vc;
    // Velocity reached by ramping the acceleration straight to zero.
    const double v_zero = v0 + a0 * std::abs(a0) / (2.0 * J);
    if (v_target == v_zero) {
        vc.t[0] = std::abs(a0) / J;
        vc.jerk[0] = a0 > 0.0 ? -J : J;
    } else {
        // Mirror so that the velocity has to rise: one acceleration hump of peak P (<= A).
        const double s = v_target > v_zero ? 1.0 : -1.0;
        const double am = s * a0;
        const double dv = s * (v_target - v0);
        const double peak_sq = J * dv + am * am / 2.0;
        const double peak = peak_sq <= A * A ? std::sqrt(peak_sq) : A;
        vc.t[0] = (peak - am) / J;
        vc.t[1] = peak_sq <= A * A ? 0.0 : (dv - (2.0 * A * A - am * am) / (2.0 * J)) / A;
        vc.t[2] = peak / J;
        vc.jerk[0] = s * J;
        vc.jerk[2] = -s * J;
    }
    double v = v0, a = a0;
    for (int i = 0; i < 3; ++i) {
        const double t = vc.t[i], j = vc.jerk[i];
        vc.distance += t * (v + t * (a / 2.0 + t * j / 6.0));
        v += t * (a + t * j / 2.0);
        a += t * j;
        vc.duration += t;
    }
    return vc;
}

namespace {

/// A velocity change between rest and a cruise at vc (either way): the acceleration hump is
/// symmetric, so its duration and distance are closed form (the average velocity is vc / 2).
/// `sign` is the sign of the first jerk. A hot path of the planners.
VelocityChange symmetric_hump(double vc, double sign, const AxisLimits& lim) {
    const double J = lim.jerk, A = lim.acceleration, speed = std::abs(vc);
    VelocityChange hump;
    if (speed <= A * A / J) {
        const double ramp = std::sqrt(speed / J);
        hump.t[0] = hump.t[2] = ramp;
    } else {
        hump.t[0] = hump.t[2] = A / J;
        hump.t[1] = speed / A - A / J;
    }
    hump.jerk[0] = sign * J;
    hump.jerk[2] = -sign * J;
    hump.duration = hump.t[0] + hump.t[1] + hump.t[2];
    hump.distance = vc * hump.duration / 2.0;
    return hump;
}

/// velocity_change(vc, 0, 0).
VelocityChange stop_from_cruise(double vc, const AxisLimits& lim) {
    return symmetric_hump(vc, vc > 0.0 ? -1.0 : 1.0, lim);
}

}  // namespace

CruisePlan cruise_plan(double v0, double a0, double distance, const AxisLimits& lim, double vc) {
    CruisePlan c;
    c.to_cruise = v0 == 0.0 && a0 == 0.0 ? symmetric_hump(vc, vc > 0.0 ? 1.0 : -1.0, lim)
                                         : velocity_change(v0, a0, vc, lim);
    c.to_rest = stop_from_cruise(vc, lim);
    c.cruise = (distance - c.to_cruise.distance - c.to_rest.distance) / vc;
    c.duration = c.to_cruise.duration + c.cruise + c.to_rest.duration;
    return c;
}

double rest_to_rest_peak_velocity(double distance, const AxisLimits& lim) {
    // |d| = vc * (time to reach vc from rest), solved for vc in closed form.
    const double A = lim.acceleration, J = lim.jerk, d = std::abs(distance);
    // Without reaching the acceleration limit vc = cbrt(d^2 J / 4), valid while vc <= A^2/J,
    // i.e. d^2 J^4 <= 4 A^6 (tested first: the cube root is the costly part).
    const double a2j = A * A / J;
    double vc;
    if (d * d * J <= 4.0 * a2j * a2j * a2j) {
        vc = std::cbrt(d * d * J / 4.0);
    } else {
        const double r = A / J;
        vc = A / 2.0 * (std::sqrt(r * r + 4.0 * d / A) - r);
    }
    return std::min(vc, lim.velocity);
}

CruisePlan rest_to_rest_plan(double distance, const AxisLimits& lim) {
    const double vc = rest_to_rest_peak_velocity(distance, lim);
    CruisePlan plan = cruise_plan(0.0, 0.0, distance, lim, distance >= 0.0 ? vc : -vc);
    // Zero up to rounding when vc is below the velocity limit.
    plan.duration -= std::min(plan.cruise, 0.0);
    plan.cruise = std::max(plan.cruise, 0.0);
    return plan;
}

void build_cruise(const CruisePlan& c, double p0, double v0, double a0, Profile& out) {
    out.reset(p0, v0, a0);
    for (int i = 0; i < 3; ++i) out.push(c.to_cruise.t[i], c.to_cruise.jerk[i]);
    out.push(c.cruise, 0.0);
    for (int i = 0; i < 3; ++i) out.push(c.to_rest.t[i], c.to_rest.jerk[i]);
}

void append_velocity_change(Profile& profile, double v_target, const AxisLimits& lim) {
    const AxisState s0 = profile.end();
    const VelocityChange vc = velocity_change(s0.velocity, s0.acceleration, v_target, lim);
    for (int i = 0; i < 3; ++i) profile.push(vc.t[i], vc.jerk[i]);
}

}  // namespace cellctl::motion
