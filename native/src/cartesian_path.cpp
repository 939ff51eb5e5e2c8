#include "cellctl/motion/cartesian_path.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace cellctl::motion {
namespace {

double quaternion_angle(const Quaternion& a, const Quaternion& b) {
    const double d = std::abs(a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z);
    return 2.0 * std::acos(std::min(1.0, d));
}

/// Quintic smoothstep on [-1, 1] -> [0, 1] with zero first and second derivatives at the ends.
double smoothstep(double sigma) {
    const double x = std::clamp((sigma + 1.0) / 2.0, 0.0, 1.0);
    return x * x * x * (10.0 + x * (-15.0 + 6.0 * x));
}

}  // namespace

Transform to_transform(const Pose& p) { return {to_matrix(p.orientation), p.position}; }
Pose to_pose(const Transform& t) { return {t.translation, to_quaternion(t.rotation)}; }

PathSegment PathSegment::line(const Pose& start, const Pose& end, double rotation_radius) {
    PathSegment s;
    s.start_ = start;
    s.end_ = end;
    s.translation_length_ = norm(end.position - start.position);
    s.rotation_angle_ = quaternion_angle(start.orientation, end.orientation);
    s.length_ = std::max(s.translation_length_, rotation_radius * s.rotation_angle_);
    return s;
}

PathSegment PathSegment::arc(const Pose& start, const Pose& end, const Vec3& center,
                             const Vec3& normal, double sweep, double rotation_radius) {
    PathSegment s = line(start, end, rotation_radius);
    s.is_arc_ = true;
    s.center_ = center;
    s.normal_ = normal;
    s.radial_ = start.position - center;
    s.sweep_ = sweep;
    s.translation_length_ = norm(s.radial_) * std::abs(sweep);
    s.length_ = std::max(s.translation_length_, rotation_radius * s.rotation_angle_);
    return s;
}

bool PathSegment::arc_through(const Pose& start, const Vec3& via, const Pose& end,
                              double rotation_radius, PathSegment& out) {
    const Vec3 u = via - start.position, v = end.position - start.position;
    const Vec3 w = cross(u, v);
    const double w2 = dot(w, w);
    if (!(w2 > 1e-18 * dot(u, u) * dot(v, v)) || w2 == 0.0) return false;
    const Vec3 center = start.position + (1.0 / (2.0 * w2)) * cross(dot(u, u) * v - dot(v, v) * u, w);
    const Vec3 normal = (1.0 / std::sqrt(w2)) * w;
    const Vec3 ra = start.position - center, rc = end.position - center;
    double sweep = std::atan2(dot(normal, cross(ra, rc)), dot(ra, rc));
    if (sweep <= 0.0) sweep += 2.0 * M_PI;
    out = arc(start, end, center, normal, sweep, rotation_radius);
    return true;
}

bool PathSegment::arc_about(const Pose& start, const Vec3& center, const Pose& end, Vec3 normal,
                            double rotation_radius, double radius_tolerance, PathSegment& out) {
    const Vec3 ra = start.position - center, rc = end.position - center;
    if (std::abs(norm(ra) - norm(rc)) > radius_tolerance || norm(ra) == 0.0) return false;
    if (norm(normal) == 0.0) {
        normal = cross(ra, rc);
        if (norm(normal) <= 1e-9 * dot(ra, ra)) return false;
    }
    normal = (1.0 / norm(normal)) * normal;
    if (std::abs(dot(normal, ra)) > radius_tolerance || std::abs(dot(normal, rc)) > radius_tolerance) {
        return false;  // start or end not in the plane of the given normal
    }
    double sweep = std::atan2(dot(normal, cross(ra, rc)), dot(ra, rc));
    if (sweep <= 0.0) sweep += 2.0 * M_PI;
    out = arc(start, end, center, normal, sweep, rotation_radius);
    return true;
}

Pose PathSegment::at(double s) const {
    const double u = length_ > 0.0 ? s / length_ : 0.0;
    Pose p;
    p.orientation = slerp(start_.orientation, end_.orientation, u);
    if (is_arc_) {
        p.position = center_ + mul(axis_angle(normal_, u * sweep_), radial_);
    } else {
        p.position = start_.position + u * (end_.position - start_.position);
    }
    return p;
}

CartesianPath::CartesianPath(std::vector<PathSegment> segments, std::vector<double> blend)
    : segments_(std::move(segments)), blend_(std::move(blend)) {
    blend_.resize(segments_.size(), 0.0);
    for (const PathSegment& seg : segments_) {
        starts_.push_back(length_);
        length_ += seg.length();
    }
}

std::size_t CartesianPath::segment_at(double s) const {
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), s);
    return it == starts_.begin() ? 0 : static_cast<std::size_t>(it - starts_.begin()) - 1;
}

Pose CartesianPath::at(double s) const {
    // Past either end the first/last segment extrapolates (used by finite differences).
    const std::size_t i = segment_at(s);
    const double local = s - starts_[i];
    const Pose own = segments_[i].at(local);
    // Inside a blend zone around the corner at the start or the end of this segment?
    const double r_in = i > 0 ? blend_[i - 1] : 0.0;
    const double r_out = i + 1 < segments_.size() ? blend_[i] : 0.0;
    std::size_t a, b;
    double sigma, s_corner;
    if (r_in > 0.0 && local < r_in) {
        a = i - 1;
        b = i;
        s_corner = starts_[i];
        sigma = (s - s_corner) / r_in;
    } else if (r_out > 0.0 && segments_[i].length() - local < r_out) {
        a = i;
        b = i + 1;
        s_corner = starts_[i + 1];
        sigma = (s - s_corner) / r_out;
    } else {
        return own;
    }
    const Pose pa = segments_[a].at(s - starts_[a]);
    const Pose pb = segments_[b].at(s - s_corner);
    const double w = smoothstep(sigma);
    Pose p;
    p.position = (1.0 - w) * pa.position + w * pb.position;
    p.orientation = slerp(pa.orientation, pb.orientation, w);
    return p;
}

}  // namespace cellctl::motion
