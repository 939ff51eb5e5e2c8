// Tool paths in Cartesian space: lines and arcs, orientation on the rotation group, blends.
//
// A path is parameterised by s in [0, length()]. Each segment maps its own parameter to a pose
// (and can be evaluated past its ends, which blends use). Orientation is slerped over the
// segment (shortest path). At a blended corner the pose is a smooth (quintic smoothstep)
// combination of the incoming and outgoing segments, evaluated at the same s, so the corner is
// rounded within the blend radius and the path is exact outside the blend zones.
#pragma once

#include <vector>

#include "cellctl/motion/se3.hpp"

namespace cellctl::motion {

struct Pose {
    Vec3 position{0.0, 0.0, 0.0};
    Quaternion orientation;
};

/// One straight line or circular arc from `start` to `end`.
class PathSegment {
public:
    /// Straight line. `rotation_radius` (m/rad) converts rotation into path length so that a
    /// move that mostly turns the tool still gets a parameter range: length = max(|dp|, r*angle).
    static PathSegment line(const Pose& start, const Pose& end, double rotation_radius);
    /// Arc about `center` in the plane with unit `normal`, sweeping `sweep` rad right-handed.
    static PathSegment arc(const Pose& start, const Pose& end, const Vec3& center,
                           const Vec3& normal, double sweep, double rotation_radius);

    /// Arc from start through the point `via` to end. Returns false (and leaves out untouched)
    /// when the three points are (nearly) collinear.
    static bool arc_through(const Pose& start, const Vec3& via, const Pose& end,
                            double rotation_radius, PathSegment& out);
    /// Arc about `center` from start to end, the short way round (normal from the two radii),
    /// or about `normal` when given (non-zero). Returns false when the radii differ by more than
    /// `radius_tolerance` or the plane is undefined (a half circle without a normal).
    static bool arc_about(const Pose& start, const Vec3& center, const Pose& end, Vec3 normal,
                          double rotation_radius, double radius_tolerance, PathSegment& out);

    double length() const { return length_; }
    /// Pose at the segment's own parameter (0 .. length, extrapolated beyond).
    Pose at(double s) const;
    const Pose& start() const { return start_; }
    const Pose& end() const { return end_; }
    bool is_arc() const { return is_arc_; }
    double translation_length() const { return translation_length_; }
    double rotation_angle() const { return rotation_angle_; }

private:
    Pose start_, end_;
    bool is_arc_ = false;
    Vec3 center_{}, normal_{}, radial_{};  // arc: radial_ = start - center
    double sweep_ = 0.0;
    double translation_length_ = 0.0, rotation_angle_ = 0.0, length_ = 0.0;
};

class CartesianPath {
public:
    /// `blend[i]` is the blend radius (in path length) at the corner after segment i.
    CartesianPath(std::vector<PathSegment> segments, std::vector<double> blend);

    double length() const { return length_; }
    std::size_t segments() const { return segments_.size(); }
    const PathSegment& segment(std::size_t i) const { return segments_[i]; }
    /// Path parameter where segment i begins.
    double segment_start(std::size_t i) const { return starts_[i]; }
    /// The segment that contains s (the last one for s past the end).
    std::size_t segment_at(double s) const;

    /// Pose at s; beyond the ends the first/last segment is extrapolated.
    Pose at(double s) const;

private:
    std::vector<PathSegment> segments_;
    std::vector<double> blend_;
    std::vector<double> starts_;
    double length_ = 0.0;
};

Transform to_transform(const Pose& p);
Pose to_pose(const Transform& t);

}  // namespace cellctl::motion
