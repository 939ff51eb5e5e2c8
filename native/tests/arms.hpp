// Chains and random inputs shared by the core's tests: two real arm geometries written from
// their published Denavit-Hartenberg parameters, and a small chain with a prismatic joint.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "cellctl/motion/chain.hpp"
#include "cellctl/motion/se3.hpp"

namespace cellctl::test {

using namespace cellctl::motion;

inline Transform rot_x(double a) {
    Transform t;
    t.rotation = axis_angle({1.0, 0.0, 0.0}, a);
    return t;
}
inline Transform shift(double x, double y, double z) {
    Transform t;
    t.translation = {x, y, z};
    return t;
}

inline Chain must_create(std::vector<ChainJoint> joints, const Transform& tip) {
    Chain chain;
    const ChainError e = Chain::create(std::move(joints), tip, chain);
    if (!e.ok()) {
        std::printf("test chain refused: %s\n", e.message.c_str());
        std::abort();
    }
    return chain;
}

/// A UR5-like 6-axis arm (standard DH: Rz(q) Tz(d) Tx(a) Rx(alpha)), joints within +-2 pi.
inline Chain six_axis_arm() {
    const double d[6] = {0.089159, 0.0, 0.0, 0.10915, 0.09465, 0.0823};
    const double a[6] = {0.0, -0.425, -0.39225, 0.0, 0.0, 0.0};
    const double alpha[6] = {M_PI / 2, 0.0, 0.0, M_PI / 2, -M_PI / 2, 0.0};
    std::vector<ChainJoint> joints(6);
    Transform previous;  // the fixed part after the previous joint
    for (int i = 0; i < 6; ++i) {
        joints[i].name = "j" + std::to_string(i + 1);
        joints[i].origin = previous;
        joints[i].lower = -2.0 * M_PI;
        joints[i].upper = 2.0 * M_PI;
        previous = shift(0.0, 0.0, d[i]) * shift(a[i], 0.0, 0.0) * rot_x(alpha[i]);
    }
    return must_create(std::move(joints), previous);
}

/// A Panda-like 7-axis arm (modified DH: Rx(alpha) Tx(a) Rz(q) Tz(d)) with its joint limits.
inline Chain seven_axis_arm() {
    const double a[7] = {0.0, 0.0, 0.0, 0.0825, -0.0825, 0.0, 0.088};
    const double d[7] = {0.333, 0.0, 0.316, 0.0, 0.384, 0.0, 0.0};
    const double alpha[7] = {0.0, -M_PI / 2, M_PI / 2, M_PI / 2, -M_PI / 2, M_PI / 2, M_PI / 2};
    const double lower[7] = {-2.8973, -1.7628, -2.8973, -3.0718, -2.8973, -0.0175, -2.8973};
    const double upper[7] = {2.8973, 1.7628, 2.8973, -0.0698, 2.8973, 3.7525, 2.8973};
    std::vector<ChainJoint> joints(7);
    double previous_d = 0.0;
    for (int i = 0; i < 7; ++i) {
        joints[i].name = "panda_joint" + std::to_string(i + 1);
        joints[i].origin = shift(0.0, 0.0, previous_d) * rot_x(alpha[i]) * shift(a[i], 0.0, 0.0);
        joints[i].lower = lower[i];
        joints[i].upper = upper[i];
        previous_d = d[i];
    }
    return must_create(std::move(joints), shift(0.0, 0.0, 0.107 + 0.1034));
}

/// Revolute, revolute, prismatic, revolute (a SCARA-like chain): FK and Jacobian only.
inline Chain scara_arm() {
    std::vector<ChainJoint> joints(4);
    joints[0] = {"shoulder", JointType::kRevolute, shift(0.0, 0.0, 0.3), {0, 0, 1}, -2.5, 2.5};
    joints[1] = {"elbow", JointType::kRevolute, shift(0.35, 0.0, 0.0), {0, 0, 1}, -2.5, 2.5};
    joints[2] = {"quill", JointType::kPrismatic, shift(0.3, 0.0, 0.0), {0, 0, -1}, 0.0, 0.2};
    joints[3] = {"wrist", JointType::kRevolute, Transform{}, {0, 0, 1}, -M_PI, M_PI};
    return must_create(std::move(joints), shift(0.0, 0.0, -0.05));
}

/// Uniform random joint positions within the chain's limits (narrowed by `margin`).
inline std::vector<double> random_q(const Chain& chain, std::mt19937_64& rng, double margin = 0.1) {
    std::vector<double> q(chain.dof());
    for (std::size_t i = 0; i < q.size(); ++i) {
        const double lo = std::max(chain.joint(i).lower, -M_PI) + margin;
        const double hi = std::min(chain.joint(i).upper, M_PI) - margin;
        q[i] = std::uniform_real_distribution<double>(lo, hi)(rng);
    }
    return q;
}

/// Translation distance and rotation angle between two poses.
inline void pose_distance(const Transform& a, const Transform& b, double& metres, double& radians) {
    double e[6];
    pose_error(a, b, e);
    metres = std::sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
    radians = std::sqrt(e[3] * e[3] + e[4] * e[4] + e[5] * e[5]);
}

}  // namespace cellctl::test
