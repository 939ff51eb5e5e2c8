// Chain validation lives in the core: every refusal names the joint and what would be valid.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "arms.hpp"
#include "check.hpp"

using namespace cellctl::test;

namespace {

std::vector<ChainJoint> revolute_joints(std::size_t count) {
    std::vector<ChainJoint> joints(count);
    for (std::size_t i = 0; i < count; ++i) {
        joints[i].name = "j" + std::to_string(i);
        joints[i].origin = shift(0.0, 0.0, 0.1);
        joints[i].lower = -1.0;
        joints[i].upper = 1.0;
    }
    return joints;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The error for `joints` with one joint (index 2) modified by `spoil`.
template <class F>
ChainError error_with(F&& spoil) {
    std::vector<ChainJoint> joints = revolute_joints(4);
    spoil(joints[2]);
    Chain chain;
    return Chain::create(joints, Transform{}, chain);
}

}  // namespace

TEST(up_to_the_maximum_number_of_joints_is_accepted) {
    Chain chain;
    CHECK(Chain::create(revolute_joints(Chain::kMaxDof), Transform{}, chain).ok());
    CHECK(chain.dof() == Chain::kMaxDof);
}

TEST(more_joints_than_the_maximum_is_an_error_not_a_truncation) {
    Chain chain = must_create(revolute_joints(2), Transform{});
    const ChainError e = Chain::create(revolute_joints(Chain::kMaxDof + 1), Transform{}, chain);
    CHECK(!e.ok());
    CHECK(contains(e.message, "13 movable joints"));
    CHECK(contains(e.message, "at most 12"));
    CHECK(chain.dof() == 2);  // untouched
}

TEST(a_chain_without_joints_is_refused) {
    Chain chain;
    CHECK(contains(Chain::create({}, Transform{}, chain).message, "at least one movable joint"));
}

TEST(a_zero_or_non_finite_axis_names_the_joint) {
    ChainError e = error_with([](ChainJoint& j) { j.axis = {0.0, 0.0, 0.0}; });
    CHECK(e.joint == 2);
    CHECK(contains(e.message, "joint 'j2' (index 2)"));
    CHECK(contains(e.message, "non-zero"));
    e = error_with([](ChainJoint& j) { j.axis = {NAN, 0.0, 1.0}; });
    CHECK(e.joint == 2);
}

TEST(lower_above_upper_or_nan_limits_are_refused) {
    ChainError e = error_with([](ChainJoint& j) { j.lower = 1.5; });
    CHECK(e.joint == 2);
    CHECK(contains(e.message, "lower limit 1.5 must be at most the upper limit 1"));
    e = error_with([](ChainJoint& j) { j.upper = NAN; });
    CHECK(e.joint == 2);
    // Unlimited (continuous) joints are valid.
    e = error_with([](ChainJoint& j) {
        j.lower = -std::numeric_limits<double>::infinity();
        j.upper = std::numeric_limits<double>::infinity();
    });
    CHECK(e.ok());
}

TEST(origins_and_tip_must_be_rigid_transforms) {
    ChainError e = error_with([](ChainJoint& j) { j.origin.rotation[0] = 2.0; });
    CHECK(e.joint == 2);
    CHECK(contains(e.message, "origin"));
    e = error_with([](ChainJoint& j) { j.origin.translation[1] = std::numeric_limits<double>::infinity(); });
    CHECK(e.joint == 2);
    e = error_with([](ChainJoint& j) { j.origin.rotation = {1, 0, 0, 0, 1, 0, 0, 0, -1}; });  // a mirror
    CHECK(e.joint == 2);
    Chain chain;
    Transform tip;
    tip.translation[0] = NAN;
    e = Chain::create(revolute_joints(3), tip, chain);
    CHECK(e.joint == -1);
    CHECK(contains(e.message, "tip"));
}

TEST(axes_are_normalised) {
    std::vector<ChainJoint> joints = revolute_joints(1);
    joints[0].axis = {0.0, 3.0, 4.0};
    const Chain chain = must_create(joints, Transform{});
    CHECK_NEAR(chain.joint(0).axis[1], 0.6, 1e-15);
    CHECK_NEAR(chain.joint(0).axis[2], 0.8, 1e-15);
}

CELLCTL_TEST_MAIN()
