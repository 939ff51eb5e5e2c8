// One axis of motion as a sequence of constant-jerk phases.
//
// A Profile stores phase durations and jerks, and the exact state (position, velocity,
// acceleration) at every phase boundary, obtained by closed-form integration. Everything the
// planners build is a Profile; everything a caller samples comes from Profile::state_at.
#pragma once

#include <array>
#include <cstddef>

namespace cellctl::motion {

/// Velocity, acceleration and jerk bounds of one axis (symmetric: |v| <= velocity, ...).
struct AxisLimits {
    double velocity;
    double acceleration;
    double jerk;
};

/// Kinematic state of one axis.
struct AxisState {
    double position = 0.0;
    double velocity = 0.0;
    double acceleration = 0.0;
    double jerk = 0.0;
};

/// Largest magnitudes a profile reaches, including extrema inside phases.
struct ProfileExtremes {
    double velocity = 0.0;
    double acceleration = 0.0;
    double jerk = 0.0;
};

class Profile {
public:
    static constexpr int kMaxPhases = 10;

    /// Empty profile resting in the given state.
    void reset(double p0, double v0, double a0);

    /// Append a phase of `duration` seconds at constant `jerk`; non-positive durations are skipped.
    void push(double duration, double jerk);

    /// Declare the end state exactly (position, 0, 0): removes the last rounding of the
    /// integration so that a finished profile holds precisely its target.
    void settle(double position);

    /// Drop all phases, keep the initial state.
    void rewind() { reset(p_[0], v_[0], a_[0]); }

    int phases() const { return n_; }
    double duration() const { return tb_[n_]; }
    double phase_duration(int i) const { return t_[i]; }
    double phase_jerk(int i) const { return j_[i]; }
    AxisState start() const { return {p_[0], v_[0], a_[0], n_ > 0 ? j_[0] : 0.0}; }
    AxisState end() const { return {p_[n_], v_[n_], a_[n_], 0.0}; }

    /// State at time t; before 0 the start state, after the end the end state at rest in jerk.
    AxisState state_at(double t) const;

    /// Like state_at, but starts the phase search at `hint` and updates it (fast for sorted times).
    AxisState state_at(double t, int& hint) const;

    ProfileExtremes extremes() const;

    /// The same timing with every jerk multiplied by k, starting from (p0, k*v0, k*a0).
    Profile scaled(double k, double p0) const;

private:
    AxisState evaluate(int phase, double dt) const;

    int n_ = 0;
    std::array<double, kMaxPhases> t_{};
    std::array<double, kMaxPhases> j_{};
    std::array<double, kMaxPhases + 1> tb_{};
    std::array<double, kMaxPhases + 1> p_{};
    std::array<double, kMaxPhases + 1> v_{};
    std::array<double, kMaxPhases + 1> a_{};
};

}  // namespace cellctl::motion
