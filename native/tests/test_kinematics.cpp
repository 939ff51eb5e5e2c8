// Kinematics: the Jacobian is the derivative of FK, IK inverts FK, and IK's failures and
// invalid inputs are told apart by status (whose names are mapped by value).
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "arms.hpp"
#include "check.hpp"

using namespace cellctl::test;

namespace {

void check_jacobian(const Chain& chain, unsigned seed) {
    std::mt19937_64 rng(seed);
    const std::size_t n = chain.dof();
    const double h = 1e-6;
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<double> q = random_q(chain, rng, 0.01);
        std::vector<double> jac(6 * n);
        chain.jacobian(q.data(), jac.data());
        const Transform at = chain.fk(q.data());
        for (std::size_t k = 0; k < n; ++k) {
            std::vector<double> qp = q, qm = q;
            qp[k] += h;
            qm[k] -= h;
            const Transform tp = chain.fk(qp.data()), tm = chain.fk(qm.data());
            double ep[6], em[6];
            pose_error(tp, at, ep);  // first-order twists in the base frame
            pose_error(tm, at, em);
            for (int r = 0; r < 6; ++r) CHECK_NEAR(jac[r * n + k], (ep[r] - em[r]) / (2.0 * h), 1e-7);
        }
    }
}

void check_round_trip(const Chain& chain, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.2);
    const IkOptions options;
    int solved = 0;
    for (int trial = 0; trial < 100; ++trial) {
        const std::vector<double> q = random_q(chain, rng);
        const Transform target = chain.fk(q.data());
        std::vector<double> seed_q = q;
        for (double& x : seed_q) x += noise(rng);
        const IkResult r = chain.ik(target, seed_q, options);
        CHECK(r.status == IkStatus::kOk);
        if (r.status != IkStatus::kOk) continue;
        ++solved;
        double metres, radians;
        pose_distance(target, chain.fk(r.q.data()), metres, radians);
        CHECK_LE(metres, options.position_tolerance);
        CHECK_LE(radians, options.orientation_tolerance);
        CHECK(chain.within_limits(r.q.data()));
        CHECK_LE(r.position_error, options.position_tolerance);
    }
    CHECK(solved == 100);
}

}  // namespace

TEST(the_jacobian_is_the_derivative_of_forward_kinematics) {
    check_jacobian(six_axis_arm(), 1);
    check_jacobian(seven_axis_arm(), 2);
    check_jacobian(scara_arm(), 3);  // with a prismatic joint
}

TEST(ik_inverts_fk_on_a_six_axis_arm) { check_round_trip(six_axis_arm(), 4); }

TEST(ik_inverts_fk_on_a_seven_axis_arm) { check_round_trip(seven_axis_arm(), 5); }

TEST(ik_from_a_far_seed_still_converges_by_restarts) {
    const Chain chain = six_axis_arm();
    std::mt19937_64 rng(6);
    for (int trial = 0; trial < 20; ++trial) {
        const std::vector<double> q = random_q(chain, rng);
        const IkResult r = chain.ik(chain.fk(q.data()), std::vector<double>(6, 0.0), IkOptions{});
        CHECK(r.status == IkStatus::kOk);
        double metres, radians;
        pose_distance(chain.fk(q.data()), chain.fk(r.q.data()), metres, radians);
        CHECK_LE(metres, 1e-9);
    }
}

TEST(a_pose_beyond_reach_is_unreachable) {
    const Chain chain = six_axis_arm();
    const IkResult r = chain.ik(shift(chain.reach() * 1.5, 0.0, 0.0), std::vector<double>(6, 0.0), IkOptions{});
    CHECK(r.status == IkStatus::kUnreachable);
    CHECK(std::strcmp(to_string(r.status), "unreachable") == 0);
}

TEST(invalid_ik_input_is_reported_not_iterated_on) {
    const Chain chain = six_axis_arm();
    const std::vector<double> seed(6, 0.1);
    const Transform good = chain.fk(seed.data());
    auto status = [&](const Transform& target, const std::vector<double>& s, const IkOptions& o) {
        const IkResult r = chain.ik(target, s, o);
        CHECK(r.iterations == 0);
        if (r.status == IkStatus::kInvalidInput) CHECK(std::strlen(r.invalid) > 0);
        return r.status;
    };
    Transform nan_pose = good;
    nan_pose.translation[2] = NAN;
    CHECK(status(nan_pose, seed, {}) == IkStatus::kInvalidInput);
    Transform sheared = good;
    sheared.rotation[1] += 0.1;  // not a rotation matrix
    CHECK(status(sheared, seed, {}) == IkStatus::kInvalidInput);
    std::vector<double> nan_seed = seed;
    nan_seed[3] = std::numeric_limits<double>::infinity();
    CHECK(status(good, nan_seed, {}) == IkStatus::kInvalidInput);
    CHECK(status(good, std::vector<double>(5, 0.0), {}) == IkStatus::kInvalidInput);
    IkOptions o;
    o.max_attempts = 0;
    CHECK(status(good, seed, o) == IkStatus::kInvalidInput);
    o = IkOptions{};
    o.position_tolerance = -1.0;
    CHECK(status(good, seed, o) == IkStatus::kInvalidInput);
    CHECK(chain.ik(good, seed, IkOptions{}).status == IkStatus::kOk);
}

TEST(status_names_are_mapped_by_value) {
    CHECK(std::strcmp(to_string(IkStatus::kOk), "ok") == 0);
    CHECK(std::strcmp(to_string(IkStatus::kUnreachable), "unreachable") == 0);
    CHECK(std::strcmp(to_string(IkStatus::kSingular), "singular") == 0);
    CHECK(std::strcmp(to_string(IkStatus::kJointLimits), "joint_limits") == 0);
    CHECK(std::strcmp(to_string(IkStatus::kInvalidInput), "invalid") == 0);
}

CELLCTL_TEST_MAIN()
