#include "cellctl/motion/profile.hpp"

#include <algorithm>
#include <cmath>

namespace cellctl::motion {

void Profile::reset(double p0, double v0, double a0) {
    n_ = 0;
    tb_[0] = 0.0;
    p_[0] = p0;
    v_[0] = v0;
    a_[0] = a0;
}

void Profile::push(double duration, double jerk) {
    if (!(duration > 0.0) || n_ >= kMaxPhases) {
        return;
    }
    const double t = duration;
    const double p = p_[n_], v = v_[n_], a = a_[n_];
    t_[n_] = t;
    j_[n_] = jerk;
    p_[n_ + 1] = p + t * (v + t * (a / 2.0 + t * jerk / 6.0));
    v_[n_ + 1] = v + t * (a + t * jerk / 2.0);
    a_[n_ + 1] = a + t * jerk;
    tb_[n_ + 1] = tb_[n_] + t;
    ++n_;
}

void Profile::settle(double position) {
    p_[n_] = position;
    v_[n_] = 0.0;
    a_[n_] = 0.0;
}

AxisState Profile::evaluate(int phase, double dt) const {
    const double jerk = j_[phase];
    const double p = p_[phase], v = v_[phase], a = a_[phase];
    return {p + dt * (v + dt * (a / 2.0 + dt * jerk / 6.0)), v + dt * (a + dt * jerk / 2.0),
            a + dt * jerk, jerk};
}

AxisState Profile::state_at(double t) const {
    int hint = 0;
    return state_at(t, hint);
}

AxisState Profile::state_at(double t, int& hint) const {
    if (n_ == 0 || t >= tb_[n_]) {
        return {p_[n_], v_[n_], a_[n_], 0.0};
    }
    if (t <= 0.0) {
        return {p_[0], v_[0], a_[0], j_[0]};
    }
    if (hint < 0 || hint >= n_ || tb_[hint] > t) {
        hint = static_cast<int>(std::upper_bound(tb_.begin() + 1, tb_.begin() + n_ + 1, t) -
                                tb_.begin()) - 1;
    }
    while (hint + 1 < n_ && tb_[hint + 1] <= t) {
        ++hint;
    }
    return evaluate(hint, t - tb_[hint]);
}

ProfileExtremes Profile::extremes() const {
    ProfileExtremes e;
    for (int i = 0; i <= n_; ++i) {
        e.velocity = std::max(e.velocity, std::abs(v_[i]));
        e.acceleration = std::max(e.acceleration, std::abs(a_[i]));
    }
    for (int i = 0; i < n_; ++i) {
        e.jerk = std::max(e.jerk, std::abs(j_[i]));
        // Velocity has an extremum inside a phase where the acceleration crosses zero.
        if (j_[i] != 0.0 && a_[i] * a_[i + 1] < 0.0) {
            e.velocity = std::max(e.velocity, std::abs(v_[i] - a_[i] * a_[i] / (2.0 * j_[i])));
        }
    }
    return e;
}

Profile Profile::scaled(double k, double p0) const {
    Profile out;
    out.reset(p0, k * v_[0], k * a_[0]);
    for (int i = 0; i < n_; ++i) {
        out.push(t_[i], k * j_[i]);
    }
    return out;
}

}  // namespace cellctl::motion
