// Joint trajectories: limits never exceeded, the goal reached at rest, all joints together,
// time optimality against the single-axis optimum, straight lines when phase synchronised.
#include <algorithm>
#include <random>
#include <vector>

#include "cellctl/motion/joint_planner.hpp"
#include "cellctl/motion/single_axis.hpp"
#include "check.hpp"

using namespace cellctl::motion;

namespace {

constexpr double kSlack = 1e-9;  // relative tolerance on every limit

/// Random 7-axis requests over the same ranges as benchmarks/bench_ptp.py.
std::vector<PtpRequest> random_requests(int count, bool moving, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<PtpRequest> out(count);
    for (PtpRequest& rq : out) {
        for (int i = 0; i < 7; ++i) {
            const AxisLimits l{0.3 + 2.7 * u(rng), 1.0 + 14.0 * u(rng), 5.0 + 195.0 * u(rng)};
            double v = 0.0, a = 0.0;
            while (moving) {
                v = (2.0 * u(rng) - 1.0) * l.velocity;
                a = (2.0 * u(rng) - 1.0) * l.acceleration;
                if (start_state_consistent(v, a, l, 0.0)) break;
            }
            rq.limits.push_back(l);
            rq.start.push_back(-3.0 + 6.0 * u(rng));
            rq.goal.push_back(-3.0 + 6.0 * u(rng));
            rq.start_velocity.push_back(v);
            rq.start_acceleration.push_back(a);
        }
    }
    return out;
}

/// Samples densely (and at every phase boundary) and checks the limits and the end points.
void check_trajectory(const JointTrajectory& traj, const std::vector<double>& start,
                      const std::vector<double>& v0, const std::vector<double>& a0,
                      const std::vector<double>* goal, const std::vector<AxisLimits>& limits) {
    const std::size_t dof = traj.dof();
    std::vector<double> times;
    const int dense = 2000;
    for (int i = 0; i <= dense; ++i) times.push_back(traj.duration() * i / dense);
    for (std::size_t k = 0; k < dof; ++k) {
        double t = 0.0;
        for (int p = 0; p < traj.axis(k).phases(); ++p) times.push_back(t += traj.axis(k).phase_duration(p));
    }
    std::sort(times.begin(), times.end());
    const std::size_t n = times.size();
    std::vector<double> p(n * dof), v(n * dof), a(n * dof), j(n * dof);
    traj.sample(times.data(), n, p.data(), v.data(), a.data(), j.data());
    for (std::size_t k = 0; k < dof; ++k) {
        const AxisLimits& l = limits[k];
        double vmax = 0.0, amax = 0.0, jmax = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            vmax = std::max(vmax, std::abs(v[i * dof + k]));
            amax = std::max(amax, std::abs(a[i * dof + k]));
            jmax = std::max(jmax, std::abs(j[i * dof + k]));
        }
        CHECK_LE(vmax, l.velocity * (1.0 + kSlack));
        CHECK_LE(amax, l.acceleration * (1.0 + kSlack));
        CHECK_LE(jmax, l.jerk * (1.0 + kSlack));
        const ProfileExtremes e = traj.axis(k).extremes();  // extrema inside phases too
        CHECK_LE(e.velocity, l.velocity * (1.0 + kSlack));
        CHECK_LE(e.acceleration, l.acceleration * (1.0 + kSlack));
        CHECK_NEAR(p[k], start[k], 0.0);
        CHECK_NEAR(v[k], v0[k], 0.0);
        CHECK_NEAR(a[k], a0[k], 0.0);
        const std::size_t last = (n - 1) * dof + k;
        if (goal) CHECK_NEAR(p[last], (*goal)[k], 0.0);
        CHECK_NEAR(v[last], 0.0, 0.0);
        CHECK_NEAR(a[last], 0.0, 0.0);
        if (goal) {  // a move finishes all joints together; a stop brakes each as fast as it can
            CHECK_NEAR(traj.axis(k).duration(), traj.duration(), 1e-9 * (1.0 + traj.duration()));
        } else {
            CHECK_LE(traj.axis(k).duration(), traj.duration());
        }
        // Positions integrate the velocities: no jumps between dense samples.
        for (std::size_t i = 1; i < n; ++i) {
            const double dt = times[i] - times[i - 1];
            const double step = p[i * dof + k] - p[(i - 1) * dof + k];
            CHECK_LE(std::abs(step), l.velocity * dt * (1.0 + 1e-6) + 1e-12);
        }
    }
}

void check_requests(const std::vector<PtpRequest>& requests) {
    for (const PtpRequest& rq : requests) {
        JointTrajectory traj;
        const PlanError e = plan_ptp(rq, traj);
        CHECK(e.status == PlanStatus::kOk);
        if (e.status != PlanStatus::kOk) continue;
        check_trajectory(traj, rq.start, rq.start_velocity, rq.start_acceleration, &rq.goal, rq.limits);
        // Time optimal: the duration is the slowest joint's own optimum.
        double slowest = 0.0;
        for (std::size_t i = 0; i < rq.start.size(); ++i) {
            Profile alone;
            CHECK(plan_time_optimal(rq.start[i], rq.start_velocity[i], rq.start_acceleration[i],
                                    rq.goal[i], rq.limits[i], alone));
            slowest = std::max(slowest, alone.duration());
        }
        CHECK_NEAR(traj.duration(), slowest, 1e-9 * slowest);
    }
}

}  // namespace

TEST(ptp_from_rest_keeps_every_limit_and_reaches_the_goal) { check_requests(random_requests(300, false, 11)); }

TEST(ptp_from_a_moving_state_keeps_every_limit_and_reaches_the_goal) {
    check_requests(random_requests(300, true, 12));
}

TEST(a_view_over_a_limits_table_plans_exactly_what_the_request_plans) {
    for (bool moving : {false, true}) {
        for (const PtpRequest& rq : random_requests(100, moving, 15)) {
            const std::size_t dof = rq.start.size();
            std::vector<double> table(3 * dof);
            for (std::size_t i = 0; i < dof; ++i) {
                table[i] = rq.limits[i].velocity;
                table[dof + i] = rq.limits[i].acceleration;
                table[2 * dof + i] = rq.limits[i].jerk;
            }
            const PtpView view{dof, rq.start.data(), rq.goal.data(), rq.start_velocity.data(),
                               rq.start_acceleration.data(), table.data()};
            JointTrajectory a, b;
            CHECK(plan_ptp(rq, a).status == PlanStatus::kOk);
            CHECK(plan_ptp(view, b).status == PlanStatus::kOk);
            CHECK(a.duration() == b.duration());
            for (std::size_t k = 0; k < dof; ++k) {
                CHECK(a.axis(k).phases() == b.axis(k).phases());
                for (int p = 0; p < a.axis(k).phases() && p < b.axis(k).phases(); ++p) {
                    CHECK(a.axis(k).phase_duration(p) == b.axis(k).phase_duration(p));
                    CHECK(a.axis(k).phase_jerk(p) == b.axis(k).phase_jerk(p));
                }
            }
        }
    }
}

TEST(ptp_with_equal_limits_from_rest_is_a_straight_line_in_joint_space) {
    PtpRequest rq;
    rq.start = {0.1, -0.4, 1.0, 0.0};
    rq.goal = {1.1, 0.6, -1.0, 0.5};
    rq.start_velocity = rq.start_acceleration = std::vector<double>(4, 0.0);
    rq.limits = std::vector<AxisLimits>(4, AxisLimits{1.5, 6.0, 60.0});
    JointTrajectory traj;
    CHECK(plan_ptp(rq, traj).status == PlanStatus::kOk);
    CHECK(traj.phase_synchronized());
    for (int i = 1; i < 50; ++i) {
        const double t = traj.duration() * i / 50.0;
        double p[4];
        traj.sample(&t, 1, p, nullptr, nullptr, nullptr);
        const double u = (p[0] - rq.start[0]) / (rq.goal[0] - rq.start[0]);
        for (int k = 1; k < 4; ++k) CHECK_NEAR((p[k] - rq.start[k]) / (rq.goal[k] - rq.start[k]), u, 1e-12);
    }
}

TEST(a_zero_move_has_zero_duration_and_holds_the_start) {
    PtpRequest rq;
    rq.start = rq.goal = {0.3, -0.2};
    rq.start_velocity = rq.start_acceleration = {0.0, 0.0};
    rq.limits = std::vector<AxisLimits>(2, AxisLimits{1.0, 1.0, 1.0});
    JointTrajectory traj;
    CHECK(plan_ptp(rq, traj).status == PlanStatus::kOk);
    CHECK_NEAR(traj.duration(), 0.0, 0.0);
    const double t = 1.0;
    double p[2];
    traj.sample(&t, 1, p, nullptr, nullptr, nullptr);
    CHECK_NEAR(p[0], 0.3, 0.0);
    CHECK_NEAR(p[1], -0.2, 0.0);
}

TEST(stop_from_a_moving_state_ends_at_rest_within_the_limits) {
    for (const PtpRequest& rq : random_requests(200, true, 13)) {
        JointTrajectory traj;
        CHECK(plan_stop(rq.start, rq.start_velocity, rq.start_acceleration, rq.limits, traj).status ==
              PlanStatus::kOk);
        check_trajectory(traj, rq.start, rq.start_velocity, rq.start_acceleration, nullptr, rq.limits);
    }
}

TEST(fixed_duration_profiles_last_exactly_the_duration_asked) {
    std::mt19937_64 rng(14);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int n = 0; n < 500; ++n) {
        const AxisLimits l{0.3 + 2.7 * u(rng), 1.0 + 14.0 * u(rng), 5.0 + 195.0 * u(rng)};
        double v0 = 0.0, a0 = 0.0;
        if (n % 2) {
            do {
                v0 = (2.0 * u(rng) - 1.0) * l.velocity;
                a0 = (2.0 * u(rng) - 1.0) * l.acceleration;
            } while (!start_state_consistent(v0, a0, l, 0.0));
        }
        const double p0 = -3.0 + 6.0 * u(rng), target = -3.0 + 6.0 * u(rng);
        Profile optimal, slow;
        CHECK(plan_time_optimal(p0, v0, a0, target, l, optimal));
        const double duration = optimal.duration() * (1.0 + 2.0 * u(rng));
        CHECK(plan_fixed_duration(p0, v0, a0, target, l, duration, optimal, slow));
        CHECK_NEAR(slow.duration(), duration, 1e-9 * duration);
        CHECK_NEAR(slow.end().position, target, 1e-9 * (1.0 + std::abs(target)));
        CHECK_NEAR(slow.end().velocity, 0.0, 1e-9);
        const ProfileExtremes e = slow.extremes();
        CHECK_LE(e.velocity, l.velocity * (1.0 + kSlack));
        CHECK_LE(e.acceleration, l.acceleration * (1.0 + kSlack));
        CHECK_LE(e.jerk, l.jerk * (1.0 + kSlack));
    }
}

CELLCTL_TEST_MAIN()
