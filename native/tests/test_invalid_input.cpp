// Invalid planning input is reported with its status, the joint and the field, never planned.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "cellctl/motion/joint_planner.hpp"
#include "check.hpp"

using namespace cellctl::motion;

namespace {

PtpRequest valid_request() {
    PtpRequest rq;
    rq.start = {0.0, 0.5, -0.5};
    rq.goal = {1.0, -0.5, 0.5};
    rq.start_velocity = rq.start_acceleration = {0.0, 0.0, 0.0};
    rq.limits = std::vector<AxisLimits>(3, AxisLimits{1.0, 2.0, 10.0});
    return rq;
}

PlanError plan(const PtpRequest& rq) {
    JointTrajectory out;
    return plan_ptp(rq, out);
}

bool field_is(const PlanError& e, const char* field) { return std::strcmp(e.field, field) == 0; }

}  // namespace

TEST(a_valid_request_plans) { CHECK(plan(valid_request()).status == PlanStatus::kOk); }

TEST(no_joints_is_empty) {
    PtpRequest rq;
    CHECK(plan(rq).status == PlanStatus::kEmpty);
}

TEST(inputs_of_different_lengths_are_refused) {
    PtpRequest rq = valid_request();
    rq.goal.push_back(0.0);
    CHECK(plan(rq).status == PlanStatus::kLengthMismatch);
    rq = valid_request();
    rq.limits.pop_back();
    CHECK(plan(rq).status == PlanStatus::kLengthMismatch);
}

TEST(non_finite_values_name_the_joint_and_field) {
    PtpRequest rq = valid_request();
    rq.goal[2] = std::numeric_limits<double>::quiet_NaN();
    PlanError e = plan(rq);
    CHECK(e.status == PlanStatus::kNonFinite);
    CHECK(e.joint == 2);
    CHECK(field_is(e, "goal position"));
    rq = valid_request();
    rq.start_velocity[1] = std::numeric_limits<double>::infinity();
    e = plan(rq);
    CHECK(e.status == PlanStatus::kNonFinite);
    CHECK(e.joint == 1);
    CHECK(field_is(e, "start velocity"));
}

TEST(limits_must_be_positive) {
    for (double bad : {0.0, -1.0}) {
        PtpRequest rq = valid_request();
        rq.limits[1].jerk = bad;
        const PlanError e = plan(rq);
        CHECK(e.status == PlanStatus::kBadLimit);
        CHECK(e.joint == 1);
        CHECK(field_is(e, "jerk limit"));
        CHECK_NEAR(e.value, bad, 0.0);
    }
    PtpRequest rq = valid_request();
    rq.limits[0].velocity = std::numeric_limits<double>::quiet_NaN();
    CHECK(plan(rq).status == PlanStatus::kNonFinite);
}

TEST(a_start_state_beyond_the_limits_is_refused) {
    PtpRequest rq = valid_request();
    rq.start_velocity[0] = 1.5;  // above the velocity limit 1
    PlanError e = plan(rq);
    CHECK(e.status == PlanStatus::kStartOutsideLimits);
    CHECK(e.joint == 0);
    rq = valid_request();
    rq.start_acceleration[2] = -2.5;  // beyond the acceleration limit 2
    e = plan(rq);
    CHECK(e.status == PlanStatus::kStartOutsideLimits);
    CHECK(e.joint == 2);
    rq = valid_request();
    rq.start_velocity[1] = 0.9;  // within, but the acceleration carries it past the limit
    rq.start_acceleration[1] = 2.0;
    e = plan(rq);
    CHECK(e.status == PlanStatus::kStartOutsideLimits);
    CHECK(e.joint == 1);
}

TEST(stop_checks_its_input_the_same_way) {
    JointTrajectory out;
    const std::vector<AxisLimits> limits(2, AxisLimits{1.0, 2.0, 10.0});
    CHECK(plan_stop({}, {}, {}, {}, out).status == PlanStatus::kEmpty);
    CHECK(plan_stop({0.0, 0.0}, {0.0}, {0.0, 0.0}, limits, out).status == PlanStatus::kLengthMismatch);
    CHECK(plan_stop({0.0, 0.0}, {0.0, 3.0}, {0.0, 0.0}, limits, out).status ==
          PlanStatus::kStartOutsideLimits);
    CHECK(plan_stop({0.0, NAN}, {0.0, 0.0}, {0.0, 0.0}, limits, out).status == PlanStatus::kNonFinite);
}

CELLCTL_TEST_MAIN()
