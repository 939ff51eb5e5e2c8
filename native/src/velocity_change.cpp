#include <cmath>

#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {

bool start_state_consistent(double v0, double a0, const AxisLimits& lim, double tol) {
    const double v_zero = v0 + a0 * std::abs(a0) / (2.0 * lim.jerk);
    return std::abs(a0) <= lim.acceleration * (1.0 + tol) &&
           std::abs(v0) <= lim.velocity * (1.0 + tol) &&
           std::abs(v_zero) <= lim.velocity * (1.0 + tol);
}

void append_velocity_change(Profile& profile, double v_target, const AxisLimits& lim) {
    const AxisState s0 = profile.end();
    const double J = lim.jerk, A = lim.acceleration;
    // Velocity reached by ramping the acceleration straight to zero.
    const double v_zero = s0.velocity + s0.acceleration * std::abs(s0.acceleration) / (2.0 * J);
    if (v_target == v_zero) {
        profile.push(std::abs(s0.acceleration) / J, s0.acceleration > 0.0 ? -J : J);
        return;
    }
    // Mirror so that the velocity has to rise: one acceleration hump of peak P (<= A).
    const double s = v_target > v_zero ? 1.0 : -1.0;
    const double a0 = s * s0.acceleration;
    const double dv = s * (v_target - s0.velocity);
    const double peak_sq = J * dv + a0 * a0 / 2.0;
    if (peak_sq <= A * A) {
        const double peak = std::sqrt(peak_sq);
        profile.push((peak - a0) / J, s * J);
        profile.push(peak / J, -s * J);
    } else {
        const double hold = (dv - (2.0 * A * A - a0 * a0) / (2.0 * J)) / A;
        profile.push((A - a0) / J, s * J);
        profile.push(hold, 0.0);
        profile.push(A / J, -s * J);
    }
}

}  // namespace cellctl::motion
