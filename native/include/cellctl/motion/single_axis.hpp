// Single-axis jerk-limited profiles to a target at rest.
//
// Three problems, each solved in closed form or by bracketed root finding:
//  * velocity change: reach (v_target, a = 0) from the current state as fast as possible;
//  * time optimal: reach (target, v = 0, a = 0) in minimum time;
//  * fixed duration: reach (target, v = 0, a = 0) in exactly a given (longer) time.
// The start state must be consistent with the limits (see start_state_consistent).
#pragma once

#include "cellctl/motion/profile.hpp"

namespace cellctl::motion {

/// True when |a0| <= A, |v0| <= V and the velocity reached by bringing a0 to zero at full jerk
/// stays within +-V (relative tolerance `tol`), i.e. the limits can be kept from this state.
bool start_state_consistent(double v0, double a0, const AxisLimits& lim, double tol = 1e-9);

/// The minimum-time way from (v0, a0) to (v_target, a = 0): at most three constant-jerk phases.
struct VelocityChange {
    double t[3] = {0.0, 0.0, 0.0};
    double jerk[3] = {0.0, 0.0, 0.0};
    double duration = 0.0;
    double distance = 0.0;  // position travelled during the change
};

VelocityChange velocity_change(double v0, double a0, double v_target, const AxisLimits& lim);

/// Change velocity to vc, cruise, then stop: the family used for cruising moves.
struct CruisePlan {
    VelocityChange to_cruise, to_rest;
    double cruise = 0.0;    // seconds at vc; negative when vc is too fast to stop at the target
    double duration = 0.0;
};

/// Timing of the cruise family for a move of `distance` from (v0, a0) at cruise velocity vc.
CruisePlan cruise_plan(double v0, double a0, double distance, const AxisLimits& lim, double vc);

/// The cruise family's profile (cruise must be non-negative).
void build_cruise(const CruisePlan& plan, double p0, double v0, double a0, Profile& out);

/// Peak velocity magnitude of the time-optimal move over |distance| from rest to rest.
double rest_to_rest_peak_velocity(double distance, const AxisLimits& lim);

/// The time-optimal rest-to-rest move over `distance` as a cruise plan (cruise >= 0): its
/// duration is known without building the profile.
CruisePlan rest_to_rest_plan(double distance, const AxisLimits& lim);

/// Appends the minimum-time phases that bring the profile's end to (v_target, 0).
void append_velocity_change(Profile& profile, double v_target, const AxisLimits& lim);

/// Minimum-time profile from (p0, v0, a0) to (target, 0, 0). Returns false when no profile
/// could be constructed (a numerical failure; never expected for consistent inputs).
bool plan_time_optimal(double p0, double v0, double a0, double target, const AxisLimits& lim,
                       Profile& out);

/// Profile from (p0, v0, a0) to (target, 0, 0) lasting exactly `duration`, which must be at least
/// the time-optimal duration. Motion is spread over the whole duration (a lower cruise velocity);
/// where that family cannot reach the duration, the time-optimal profile is followed by a dwell.
bool plan_fixed_duration(double p0, double v0, double a0, double target, const AxisLimits& lim,
                         double duration, const Profile& time_optimal, Profile& out);

/// plan_fixed_duration from rest. The time-optimal profile is planned only in the rare cases
/// where the cruise family cannot meet the duration (a synchronised move from rest usually
/// needs just the cruise velocity, in closed form).
bool plan_fixed_duration_from_rest(double p0, double target, const AxisLimits& lim,
                                   double duration, Profile& out);

}  // namespace cellctl::motion
