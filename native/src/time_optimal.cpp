// Minimum-time profile to a target at rest.
//
// After mirroring so that the target lies ahead of the point where a full brake would stop,
// the optimal profile has the jerk pattern +J, 0, -J, [0], -J, 0, +J ("up-down-down-up"):
// the acceleration rises to a peak P, falls through an optional cruise at the velocity limit to
// a trough Q, and returns to zero. Holds exist only at the acceleration limit, a cruise only at
// the velocity limit. Each combination of reached limits leaves one unknown, found by bracketed
// root finding on the exactly integrated end position; the shortest valid profile wins.
#include <cmath>
#include <limits>

#include "cellctl/motion/roots.hpp"
#include "cellctl/motion/single_axis.hpp"

namespace cellctl::motion {
namespace {

constexpr double kHoldTolerance = 1e-12;   // s: negative holds within this are rounding noise
constexpr double kEndTolerance = 1e-10;    // position units: accepted residual at the target
constexpr double kLimitTolerance = 1e-10;  // relative slack on the limits

struct Problem {
    double p0, v0, a0, target;
    AxisLimits lim;
    double s;   // +1 or -1: the mirror applied to velocities, accelerations and jerks
    double v0m, a0m;  // start velocity and acceleration in the mirrored frame
    double k;   // J*v0m - a0m^2/2, recurring in the velocity balance
};

/// Builds the up-down-down-up profile with peak P, trough Q and holds h1 (at P), h2 (at Q).
/// Returns false when a hold or ramp would have negative duration.
bool build_uddu(const Problem& pb, double P, double h1, double Q, double h2, Profile& out) {
    const double J = pb.lim.jerk;
    const double t1 = (P - pb.a0m) / J, t3 = (P - Q) / J, t5 = -Q / J;
    for (double* t : {&h1, &h2}) {
        if (*t < -kHoldTolerance) return false;
    }
    if (t1 < -kHoldTolerance || t3 < -kHoldTolerance || t5 < -kHoldTolerance) return false;
    out.reset(pb.p0, pb.v0, pb.a0);
    out.push(t1, pb.s * J);
    out.push(h1, 0.0);
    out.push(t3, -pb.s * J);
    out.push(h2, 0.0);
    out.push(t5, pb.s * J);
    return true;
}

/// End-position residual of build_uddu's profile (mirrored frame), without building it.
double uddu_residual(const Problem& pb, double P, double h1, double Q, double h2) {
    const double J = pb.lim.jerk;
    const double t[5] = {(P - pb.a0m) / J, h1, (P - Q) / J, h2, -Q / J};
    const double jerk[5] = {J, 0.0, -J, 0.0, J};
    if (t[0] < -kHoldTolerance || t[2] < -kHoldTolerance || t[4] < -kHoldTolerance) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    double p = 0.0, v = pb.v0m, a = pb.a0m;
    for (int i = 0; i < 5; ++i) {
        const double ti = std::max(t[i], 0.0);
        p += ti * (v + ti * (a / 2.0 + ti * jerk[i] / 6.0));
        v += ti * (a + ti * jerk[i] / 2.0);
        a += ti * jerk[i];
    }
    return p - pb.s * (pb.target - pb.p0);
}

double residual(const Problem& pb, const Profile& pr) {
    return pb.s * (pr.end().position - pb.target);
}

bool within_limits(const Problem& pb, const Profile& pr) {
    const ProfileExtremes e = pr.extremes();
    return e.velocity <= pb.lim.velocity * (1.0 + kLimitTolerance) &&
           e.acceleration <= pb.lim.acceleration * (1.0 + kLimitTolerance);
}

class Search {
public:
    explicit Search(const Problem& pb) : pb_(pb) {}

    /// Keeps the candidate if it is valid and shorter than the best so far.
    void offer(const Profile& pr) {
        if (std::abs(residual(pb_, pr)) <= kEndTolerance * (1.0 + std::abs(pb_.target)) &&
            pr.duration() < best_duration_ && within_limits(pb_, pr)) {
            best_ = pr;
            best_duration_ = pr.duration();
        }
    }

    /// Finds every root of the end-position residual of a one-parameter family on [lo, hi].
    /// The residual is integrated in scalars; a Profile is built only for the roots.
    template <class Params>
    void scan(double lo, double hi, int cells, Params&& params) {
        auto f = [&](double x) {
            double P, h1, Q, h2;
            params(x, P, h1, Q, h2);
            return uddu_residual(pb_, P, std::max(h1, 0.0), Q, std::max(h2, 0.0));
        };
        Profile pr;
        for_each_root(f, lo, hi, cells, [&](double x) {
            double P, h1, Q, h2;
            params(x, P, h1, Q, h2);
            if (build_uddu(pb_, P, h1, Q, h2, pr)) offer(pr);
        });
    }

    bool found() const { return best_duration_ < std::numeric_limits<double>::infinity(); }
    const Profile& best() const { return best_; }

private:
    const Problem& pb_;
    Profile best_;
    double best_duration_ = std::numeric_limits<double>::infinity();
};

/// Cruise at the velocity limit: optimal whenever the cruise it needs is non-negative.
bool try_cruise(const Problem& pb, Profile& out) {
    const CruisePlan plan =
        cruise_plan(pb.v0, pb.a0, pb.target - pb.p0, pb.lim, pb.s * pb.lim.velocity);
    if (plan.cruise < 0.0) return false;
    build_cruise(plan, pb.p0, pb.v0, pb.a0, out);
    return true;
}

/// From rest the optimal profile is symmetric: accelerate to vc, (cruise,) decelerate.
void rest_to_rest(const Problem& pb, Profile& out) {
    build_cruise(rest_to_rest_plan(pb.target - pb.p0, pb.lim), pb.p0, 0.0, 0.0, out);
}

}  // namespace

bool plan_time_optimal(double p0, double v0, double a0, double target, const AxisLimits& lim,
                       Profile& out) {
    // Where does a full brake stop? The target decides the direction relative to that point.
    // (From rest there is nothing to brake: the start is that point.)
    out.reset(p0, v0, a0);
    const bool at_rest = v0 == 0.0 && a0 == 0.0;
    if (!at_rest) append_velocity_change(out, 0.0, lim);
    const double miss = target - out.end().position;
    if (std::abs(miss) <= kEndTolerance * 1e-2 * (1.0 + std::abs(target))) {
        return true;
    }
    Problem pb{p0, v0, a0, target, lim, miss > 0.0 ? 1.0 : -1.0, 0.0, 0.0, 0.0};
    pb.v0m = pb.s * v0;
    pb.a0m = pb.s * a0;
    pb.k = lim.jerk * pb.v0m - pb.a0m * pb.a0m / 2.0;
    if (at_rest) {
        rest_to_rest(pb, out);
        return true;
    }
    if (try_cruise(pb, out)) {
        return true;
    }
    const double A = lim.acceleration, J = lim.jerk, V = lim.velocity, a0m = pb.a0m, k = pb.k;
    Search search(pb);

    // No limit reached: Q from the velocity balance, P free.
    {
        double lo = a0m, hi = A;
        const double cap = A * A - k;  // Q >= -A  <=>  P^2 <= A^2 - k
        if (cap >= 0.0) {
            hi = std::min(hi, std::sqrt(cap));
            lo = std::max(lo, k >= 0.0 ? -std::sqrt(cap) : std::sqrt(-k));
            search.scan(lo, hi, 8, [&](double P, double& Pp, double& h1, double& Q, double& h2) {
                Pp = P;
                h1 = h2 = 0.0;
                Q = -std::sqrt(std::max(P * P + k, 0.0));
            });
        }
    }
    // Peak at +A with a hold, trough Q free.
    {
        const double q_max = -std::sqrt(std::max(A * A + k, 0.0));
        search.scan(-A, q_max, 8, [&](double Q, double& P, double& h1, double& Qq, double& h2) {
            P = A;
            Qq = Q;
            h1 = (Q * Q - A * A - k) / (J * A);
            h2 = 0.0;
        });
    }
    // Trough at -A with a hold, peak P free (positive, or a shallow dip below zero).
    {
        auto params = [&](double P, double& Pp, double& h1, double& Q, double& h2) {
            Pp = P;
            h1 = 0.0;
            Q = -A;
            h2 = (P * P + k - A * A) / (J * A);
        };
        const double need = A * A - k;  // h2 >= 0  <=>  P^2 >= A^2 - k
        if (need <= 0.0) {
            search.scan(a0m, A, 8, params);
        } else {
            search.scan(std::max(a0m, std::sqrt(need)), A, 8, params);
            search.scan(a0m, -std::sqrt(need), 8, params);
        }
    }
    // Both acceleration limits held: the unknown is the hold at the peak.
    {
        const double h1_min = std::max(0.0, -k / (J * A));
        const double h1_max = (V - pb.v0m - (2.0 * A * A - a0m * a0m) / (2.0 * J)) / A;
        search.scan(h1_min, std::max(h1_min, h1_max), 4,
                    [&](double h, double& P, double& h1, double& Q, double& h2) {
                        P = A;
                        h1 = h;
                        Q = -A;
                        h2 = h + k / (J * A);
                    });
    }
    if (!search.found()) {
        return false;
    }
    out = search.best();
    return true;
}

}  // namespace cellctl::motion
