// Cartesian interpolation: the joints put the tool on the path (FK of the sampled joints is the
// path's pose), straight lines stay straight, arcs stay on their circle, the goal is reached,
// limits hold; and invalid requests are refused with a status and a detail.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "arms.hpp"
#include "cellctl/motion/cartesian_trajectory.hpp"
#include "check.hpp"

using namespace cellctl::test;

namespace {

const CartesianLimits kCartesian{0.25, 1.0, 10.0, 1.0, 4.0, 40.0};
const std::vector<double> kStart{0.3, -1.2, 1.4, -1.6, -1.5, 0.2};

std::vector<AxisLimits> joint_limits(double scale = 1.0) {
    return std::vector<AxisLimits>(6, AxisLimits{2.0 * scale, 8.0 * scale, 80.0 * scale});
}

Pose rotated_and_moved(const Pose& from, const Vec3& move, const Vec3& axis, double angle) {
    Transform t = to_transform(from);
    t.translation = t.translation + move;
    t.rotation = mul(axis_angle(axis, angle), t.rotation);
    return to_pose(t);
}

CartesianError plan_line(const Chain& chain, const Pose& goal, CartesianTrajectory& out,
                         const std::vector<AxisLimits>& limits = joint_limits(),
                         const CartesianLimits& cartesian = kCartesian) {
    const Pose start = to_pose(chain.fk(kStart.data()));
    const double radius = cartesian.speed / cartesian.angular_speed;
    CartesianPath path({PathSegment::line(start, goal, radius)}, {0.0});
    return CartesianTrajectory::plan(chain, kStart, path, limits, cartesian, CartesianPlanOptions{}, out);
}

/// FK of the sampled joints against the path's pose at the same instants.
void check_tracking(const Chain& chain, const CartesianTrajectory& traj, std::vector<double>& times) {
    const std::size_t n = times.size(), dof = chain.dof();
    std::vector<double> q(n * dof), poses(n * 16);
    traj.sample(times.data(), n, q.data(), nullptr, nullptr, nullptr);
    traj.poses(times.data(), n, poses.data());
    for (std::size_t i = 0; i < n; ++i) {
        Transform expected;
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) expected.rotation[3 * r + c] = poses[16 * i + 4 * r + c];
            expected.translation[r] = poses[16 * i + 4 * r + 3];
        }
        double metres, radians;
        pose_distance(expected, chain.fk(q.data() + i * dof), metres, radians);
        CHECK_LE(metres, 1e-9);
        CHECK_LE(radians, 1e-8);
    }
}

std::vector<double> times_over(double duration, int count) {
    std::vector<double> t(count + 1);
    for (int i = 0; i <= count; ++i) t[i] = duration * i / count;
    return t;
}

}  // namespace

TEST(a_line_is_followed_straight_to_its_goal_within_the_limits) {
    const Chain chain = six_axis_arm();
    const Pose start = to_pose(chain.fk(kStart.data()));
    const Pose goal = rotated_and_moved(start, {0.12, -0.05, 0.04}, {0.0, 0.0, 1.0}, 0.3);
    CartesianTrajectory traj;
    const CartesianError e = plan_line(chain, goal, traj);
    CHECK(e.status == CartesianStatus::kOk);
    if (e.status != CartesianStatus::kOk) {
        std::printf("  %s: %s\n", to_string(e.status), e.detail.c_str());
        return;
    }
    std::vector<double> times = times_over(traj.duration(), 400);
    check_tracking(chain, traj, times);
    // Straight: every position on the segment from start to goal.
    std::vector<double> poses(times.size() * 16);
    traj.poses(times.data(), times.size(), poses.data());
    const Vec3 d = goal.position - start.position;
    for (std::size_t i = 0; i < times.size(); ++i) {
        const Vec3 p{poses[16 * i + 3], poses[16 * i + 7], poses[16 * i + 11]};
        const Vec3 off = p - start.position;
        const double along = dot(off, d) / dot(d, d);
        CHECK_NEAR(norm(off - along * d), 0.0, 1e-12);
        CHECK(along >= -1e-12 && along <= 1.0 + 1e-12);
    }
    // The goal, at rest, at the end.
    double metres, radians;
    std::vector<double> q_end(6);
    const double t_end = traj.duration();
    traj.sample(&t_end, 1, q_end.data(), nullptr, nullptr, nullptr);
    pose_distance(to_transform(goal), chain.fk(q_end.data()), metres, radians);
    CHECK_LE(metres, 1e-9);
    CHECK_LE(radians, 1e-8);
    const AxisState end = traj.path_state(t_end);
    CHECK_NEAR(end.velocity, 0.0, 1e-12);
    // Limits: the tool's speed along the path, and every joint's rates.
    const std::size_t n = times.size();
    std::vector<double> qd(n * 6), qdd(n * 6), qddd(n * 6);
    traj.sample(times.data(), n, nullptr, qd.data(), qdd.data(), qddd.data());
    const std::vector<AxisLimits> limits = joint_limits();
    for (std::size_t i = 0; i < n; ++i) {
        CHECK_LE(traj.path_state(times[i]).velocity, kCartesian.speed * (1.0 + 1e-9));
        for (std::size_t k = 0; k < 6; ++k) {
            CHECK_LE(std::abs(qd[i * 6 + k]), limits[k].velocity * (1.0 + 1e-6));
            CHECK_LE(std::abs(qdd[i * 6 + k]), limits[k].acceleration * (1.0 + 1e-6));
        }
    }
}

TEST(slow_joints_slow_the_motion_down_and_their_limits_still_hold) {
    const Chain chain = six_axis_arm();
    const Pose start = to_pose(chain.fk(kStart.data()));
    const Pose goal = rotated_and_moved(start, {0.2, 0.1, 0.0}, {1.0, 0.0, 0.0}, 0.2);
    CartesianTrajectory fast, slow;
    CHECK(plan_line(chain, goal, fast).status == CartesianStatus::kOk);
    const std::vector<AxisLimits> tight = joint_limits(0.05);
    CHECK(plan_line(chain, goal, slow, tight).status == CartesianStatus::kOk);
    CHECK(slow.duration() > fast.duration());
    CHECK(slow.time_scale() < 1.0);
    std::vector<double> times = times_over(slow.duration(), 1000);
    std::vector<double> qd(times.size() * 6), qdd(times.size() * 6), qddd(times.size() * 6);
    slow.sample(times.data(), times.size(), nullptr, qd.data(), qdd.data(), qddd.data());
    for (std::size_t i = 0; i < times.size() * 6; ++i) {
        CHECK_LE(std::abs(qd[i]), tight[0].velocity * (1.0 + 1e-6));
        CHECK_LE(std::abs(qdd[i]), tight[0].acceleration * (1.0 + 1e-6));
        CHECK_LE(std::abs(qddd[i]), tight[0].jerk * (1.0 + 1e-3));
    }
    check_tracking(chain, slow, times);
}

TEST(an_arc_stays_on_its_circle) {
    const Chain chain = six_axis_arm();
    const Pose start = to_pose(chain.fk(kStart.data()));
    const Vec3 center = start.position + Vec3{0.0, 0.08, 0.0};
    const Pose goal = rotated_and_moved(start, {0.08, 0.08, 0.0}, {0.0, 0.0, 1.0}, 0.0);
    PathSegment arc;
    CHECK(PathSegment::arc_about(start, center, goal, {0.0, 0.0, 0.0}, 0.25, 1e-9, arc));
    CartesianTrajectory traj;
    const CartesianError e = CartesianTrajectory::plan(chain, kStart, CartesianPath({arc}, {0.0}),
                                                       joint_limits(), kCartesian, {}, traj);
    CHECK(e.status == CartesianStatus::kOk);
    if (e.status != CartesianStatus::kOk) return;
    std::vector<double> times = times_over(traj.duration(), 300);
    check_tracking(chain, traj, times);
    std::vector<double> poses(times.size() * 16);
    traj.poses(times.data(), times.size(), poses.data());
    for (std::size_t i = 0; i < times.size(); ++i) {
        const Vec3 p{poses[16 * i + 3], poses[16 * i + 7], poses[16 * i + 11]};
        CHECK_NEAR(norm(p - center), 0.08, 1e-12);
        CHECK_NEAR(p[2], center[2], 1e-12);
    }
    CHECK_NEAR(traj.path().length(), 0.08 * M_PI / 2.0, 1e-12);
}

TEST(invalid_cartesian_requests_are_refused_with_a_detail) {
    const Chain chain = six_axis_arm();
    const Pose start = to_pose(chain.fk(kStart.data()));
    const Pose goal = rotated_and_moved(start, {0.05, 0.0, 0.0}, {0.0, 0.0, 1.0}, 0.0);
    CartesianTrajectory out;
    CartesianLimits bad = kCartesian;
    bad.jerk = 0.0;
    CartesianError e = plan_line(chain, goal, out, joint_limits(), bad);
    CHECK(e.status == CartesianStatus::kInvalidInput);
    CHECK(e.detail.find("jerk") != std::string::npos);
    bad = kCartesian;
    bad.angular_speed = NAN;
    CHECK(plan_line(chain, goal, out, joint_limits(), bad).status == CartesianStatus::kInvalidInput);
    std::vector<AxisLimits> limits = joint_limits();
    limits[4].acceleration = -1.0;
    e = plan_line(chain, goal, out, limits);
    CHECK(e.status == CartesianStatus::kInvalidInput);
    CHECK(e.joint == 4);
    CHECK(e.detail.find("acceleration limit is -1") != std::string::npos);
    limits.pop_back();
    CHECK(plan_line(chain, goal, out, limits).status == CartesianStatus::kInvalidInput);
    e = plan_line(chain, start, out);  // zero length
    CHECK(e.status == CartesianStatus::kInvalidInput);
    CHECK(std::strcmp(to_string(e.status), "invalid") == 0);
}

TEST(an_unreachable_line_names_the_move_and_where) {
    const Chain chain = six_axis_arm();
    const Pose start = to_pose(chain.fk(kStart.data()));
    const Pose goal = rotated_and_moved(start, {3.0, 0.0, 0.0}, {0.0, 0.0, 1.0}, 0.0);
    CartesianTrajectory out;
    const CartesianError e = plan_line(chain, goal, out);
    CHECK(e.status != CartesianStatus::kOk);
    CHECK(e.move == 0);
    CHECK(e.fraction > 0.0 && e.fraction < 1.0);
}

TEST(cartesian_status_names_are_mapped_by_value) {
    CHECK(std::strcmp(to_string(CartesianStatus::kOk), "ok") == 0);
    CHECK(std::strcmp(to_string(CartesianStatus::kInvalidInput), "invalid") == 0);
    CHECK(std::strcmp(to_string(CartesianStatus::kUnreachable), "unreachable") == 0);
    CHECK(std::strcmp(to_string(CartesianStatus::kJointLimits), "joint_limits") == 0);
    CHECK(std::strcmp(to_string(CartesianStatus::kSingular), "singular") == 0);
    CHECK(std::strcmp(to_string(CartesianStatus::kInternal), "internal") == 0);
}

CELLCTL_TEST_MAIN()
