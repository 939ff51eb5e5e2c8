// Minimal fixed-size rigid-body math: 3-vectors, rotation matrices, transforms, quaternions.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

namespace cellctl::motion {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<double, 9>;  // row-major

inline Vec3 operator+(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline Vec3 operator-(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline Vec3 operator*(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
inline double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
inline Vec3 cross(const Vec3& a, const Vec3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

inline Mat3 identity3() { return {1, 0, 0, 0, 1, 0, 0, 0, 1}; }
inline Vec3 mul(const Mat3& m, const Vec3& v) {
    return {m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
            m[6] * v[0] + m[7] * v[1] + m[8] * v[2]};
}
inline Mat3 mul(const Mat3& a, const Mat3& b) {
    Mat3 c{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
    return c;
}
inline Mat3 transpose(const Mat3& m) { return {m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]}; }

/// Rotation by `angle` about the unit vector `axis` (Rodrigues).
inline Mat3 axis_angle(const Vec3& axis, double angle) {
    const double c = std::cos(angle), s = std::sin(angle), t = 1.0 - c;
    const double x = axis[0], y = axis[1], z = axis[2];
    return {t * x * x + c,     t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, t * y * y + c,     t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, t * z * z + c};
}

/// Rotation vector (axis * angle, |angle| <= pi) of a rotation matrix, accurate near 0 and pi.
inline Vec3 log_rotation(const Mat3& r) {
    const double cos_a = std::clamp((r[0] + r[4] + r[8] - 1.0) / 2.0, -1.0, 1.0);
    const Vec3 w{r[7] - r[5], r[2] - r[6], r[3] - r[1]};  // 2 sin(a) * axis
    const double sin2 = norm(w);
    const double angle = std::atan2(sin2 / 2.0, cos_a);
    if (angle < 1e-6) return 0.5 * w;  // first order: exact to ~1e-18
    if (M_PI - angle > 1e-6) return (angle / sin2) * w;
    // Near pi: the axis from the symmetric part, sign from w.
    Vec3 axis{std::sqrt(std::max(0.0, (r[0] + 1.0) / 2.0)), std::sqrt(std::max(0.0, (r[4] + 1.0) / 2.0)),
              std::sqrt(std::max(0.0, (r[8] + 1.0) / 2.0))};
    const int big = axis[0] >= axis[1] && axis[0] >= axis[2] ? 0 : (axis[1] >= axis[2] ? 1 : 2);
    const double sym[3][3] = {{r[0], (r[1] + r[3]) / 2, (r[2] + r[6]) / 2},
                              {(r[1] + r[3]) / 2, r[4], (r[5] + r[7]) / 2},
                              {(r[2] + r[6]) / 2, (r[5] + r[7]) / 2, r[8]}};
    for (int i = 0; i < 3; ++i) {
        if (i != big) axis[i] = sym[big][i] / (2.0 * axis[big]);
    }
    if (dot(axis, w) < 0.0) axis = -1.0 * axis;
    return (angle / norm(axis)) * axis;
}

struct Transform {
    Mat3 rotation = identity3();
    Vec3 translation{0.0, 0.0, 0.0};
};

/// True when every entry is finite and the rotation is a proper rotation matrix: R R^T = I and
/// det R = +1, each within `tol`.
inline bool is_rigid(const Transform& t, double tol = 1e-6) {
    for (double x : t.rotation) {
        if (!std::isfinite(x)) return false;
    }
    for (double x : t.translation) {
        if (!std::isfinite(x)) return false;
    }
    const Mat3 rrt = mul(t.rotation, transpose(t.rotation));
    const Mat3 eye = identity3();
    for (int i = 0; i < 9; ++i) {
        if (std::abs(rrt[i] - eye[i]) > tol) return false;
    }
    const Mat3& r = t.rotation;
    const double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) +
                       r[2] * (r[3] * r[7] - r[4] * r[6]);
    return std::abs(det - 1.0) <= tol;
}

inline Transform operator*(const Transform& a, const Transform& b) {
    return {mul(a.rotation, b.rotation), mul(a.rotation, b.translation) + a.translation};
}
inline Transform inverse(const Transform& t) {
    const Mat3 rt = transpose(t.rotation);
    return {rt, -1.0 * mul(rt, t.translation)};
}

/// Unit quaternion (w, x, y, z).
struct Quaternion {
    double w = 1.0, x = 0.0, y = 0.0, z = 0.0;
};

Quaternion to_quaternion(const Mat3& r);
Mat3 to_matrix(const Quaternion& q);
/// Shortest-path spherical interpolation between unit quaternions, u in [0, 1].
Quaternion slerp(const Quaternion& a, Quaternion b, double u);

}  // namespace cellctl::motion
