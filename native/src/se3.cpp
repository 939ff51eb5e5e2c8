#include "cellctl/motion/se3.hpp"

#include <algorithm>

namespace cellctl::motion {

Quaternion to_quaternion(const Mat3& r) {
    // Shepperd's method: pick the largest of w, x, y, z to divide by.
    const double tr = r[0] + r[4] + r[8];
    Quaternion q;
    if (tr > 0.0) {
        const double s = 2.0 * std::sqrt(tr + 1.0);
        q = {s / 4.0, (r[7] - r[5]) / s, (r[2] - r[6]) / s, (r[3] - r[1]) / s};
    } else if (r[0] > r[4] && r[0] > r[8]) {
        const double s = 2.0 * std::sqrt(1.0 + r[0] - r[4] - r[8]);
        q = {(r[7] - r[5]) / s, s / 4.0, (r[1] + r[3]) / s, (r[2] + r[6]) / s};
    } else if (r[4] > r[8]) {
        const double s = 2.0 * std::sqrt(1.0 + r[4] - r[0] - r[8]);
        q = {(r[2] - r[6]) / s, (r[1] + r[3]) / s, s / 4.0, (r[5] + r[7]) / s};
    } else {
        const double s = 2.0 * std::sqrt(1.0 + r[8] - r[0] - r[4]);
        q = {(r[3] - r[1]) / s, (r[2] + r[6]) / s, (r[5] + r[7]) / s, s / 4.0};
    }
    const double n = std::sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
    return {q.w / n, q.x / n, q.y / n, q.z / n};
}

Mat3 to_matrix(const Quaternion& q) {
    const double w = q.w, x = q.x, y = q.y, z = q.z;
    return {1 - 2 * (y * y + z * z), 2 * (x * y - w * z),     2 * (x * z + w * y),
            2 * (x * y + w * z),     1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
            2 * (x * z - w * y),     2 * (y * z + w * x),     1 - 2 * (x * x + y * y)};
}

Quaternion slerp(const Quaternion& a, Quaternion b, double u) {
    double d = a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z;
    if (d < 0.0) {  // q and -q are the same rotation: take the short way round
        b = {-b.w, -b.x, -b.y, -b.z};
        d = -d;
    }
    double ka, kb;
    if (d > 1.0 - 1e-12) {
        ka = 1.0 - u;
        kb = u;
    } else {
        const double theta = std::acos(std::clamp(d, -1.0, 1.0));
        const double s = std::sin(theta);
        ka = std::sin((1.0 - u) * theta) / s;
        kb = std::sin(u * theta) / s;
    }
    Quaternion q{ka * a.w + kb * b.w, ka * a.x + kb * b.x, ka * a.y + kb * b.y, ka * a.z + kb * b.z};
    const double n = std::sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
    return {q.w / n, q.x / n, q.y / n, q.z / n};
}

}  // namespace cellctl::motion
