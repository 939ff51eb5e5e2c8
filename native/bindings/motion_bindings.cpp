// The only file where pybind11 appears: a thin, flat layer over the motion core.
// It converts arrays, turns PlanError into Python exceptions with the joint and the value, and
// samples straight into numpy buffers.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "cellctl/motion/cartesian_trajectory.hpp"
#include "cellctl/motion/chain.hpp"
#include "cellctl/motion/joint_planner.hpp"

namespace py = pybind11;
using namespace cellctl::motion;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::string joint_label(int joint, const std::vector<std::string>& names) {
    if (joint >= 0 && static_cast<std::size_t>(joint) < names.size()) {
        return "joint '" + names[joint] + "' (index " + std::to_string(joint) + ")";
    }
    return "joint " + std::to_string(joint);
}

std::string format_value(double v) {
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
}

[[noreturn]] void raise(const PlanError& e, const std::vector<std::string>& names,
                        const std::vector<AxisLimits>& limits) {
    const std::string who = joint_label(e.joint, names);
    const std::string value = format_value(e.value);
    switch (e.status) {
        case PlanStatus::kEmpty:
            throw py::value_error("no joints given: start and goal need at least one value");
        case PlanStatus::kLengthMismatch:
            throw py::value_error("inputs have different lengths (found one of length " + value +
                                  "): give one value per joint everywhere");
        case PlanStatus::kNonFinite:
            throw py::value_error(who + ": " + e.field + " is " + value +
                                  "; it must be a finite number");
        case PlanStatus::kBadLimit:
            throw py::value_error(who + ": " + e.field + " is " + value +
                                  "; limits must be greater than zero");
        case PlanStatus::kStartOutsideLimits: {
            const AxisLimits& l = limits[e.joint];
            throw py::value_error(
                who + ": " + e.field + " " + value + " is outside the joint's limits (velocity " +
                format_value(l.velocity) + ", acceleration " + format_value(l.acceleration) +
                ", jerk " + format_value(l.jerk) +
                "); a valid start has |v| <= velocity, |a| <= acceleration and "
                "v + a*|a|/(2*jerk) within +-velocity");
        }
        case PlanStatus::kInternal:
            throw std::runtime_error(who + ": no jerk-limited profile found for " + e.field + " " +
                                     value + " (a planner defect: please report the inputs)");
        case PlanStatus::kOk:
            break;
    }
    throw std::runtime_error("unknown planner status");
}

std::vector<double> to_vector(const Array& a, const char* name) {
    if (a.ndim() != 1) {
        throw py::value_error(std::string(name) + " must be a 1-D sequence of numbers, got " +
                              std::to_string(a.ndim()) + " dimensions");
    }
    return std::vector<double>(a.data(), a.data() + a.shape(0));
}

/// Limits arrive as one (3, dof) array: rows velocity, acceleration, jerk.
std::vector<AxisLimits> to_limits(const Array& table) {
    if (table.ndim() != 2 || table.shape(0) != 3) {
        throw py::value_error("limits must be a (3, dof) array of velocity, acceleration, jerk");
    }
    const std::size_t dof = static_cast<std::size_t>(table.shape(1));
    const double* row = table.data();
    std::vector<AxisLimits> out(dof);
    for (std::size_t i = 0; i < dof; ++i) out[i] = {row[i], row[dof + i], row[2 * dof + i]};
    return out;
}

void check_length(const std::vector<double>& x, std::size_t dof, const char* name) {
    if (x.size() != dof) {
        throw py::value_error(std::string(name) + " has " + std::to_string(x.size()) +
                              " values but the limits describe " + std::to_string(dof) +
                              " joints");
    }
}

py::tuple sample(const JointTrajectory& traj, const Array& times) {
    if (times.ndim() != 1) throw py::value_error("times must be a 1-D array of seconds");
    const std::size_t n = static_cast<std::size_t>(times.shape(0));
    const std::size_t dof = traj.dof();  // times are checked finite by cellctl.motion
    Array p({n, dof}), v({n, dof}), a({n, dof}), j({n, dof});
    {
        py::gil_scoped_release release;
        traj.sample(times.data(), n, p.mutable_data(), v.mutable_data(), a.mutable_data(),
                    j.mutable_data());
    }
    return py::make_tuple(p, v, a, j);
}

py::list phases(const JointTrajectory& traj, std::size_t joint) {
    if (joint >= traj.dof()) throw py::index_error("joint index out of range");
    py::list out;
    const Profile& pr = traj.axis(joint);
    for (int i = 0; i < pr.phases(); ++i) {
        out.append(py::make_tuple(pr.phase_duration(i), pr.phase_jerk(i)));
    }
    return out;
}


// ---- poses and chains --------------------------------------------------------------------

Transform to_transform4(const Array& m, const char* name) {
    if (m.ndim() != 2 || m.shape(0) != 4 || m.shape(1) != 4) {
        throw py::value_error(std::string(name) + " must be a 4x4 homogeneous transform");
    }
    const double* d = m.data();
    Transform t;
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) t.rotation[3 * r + c] = d[4 * r + c];
        t.translation[r] = d[4 * r + 3];
    }
    for (int i = 0; i < 16; ++i) {
        if (!std::isfinite(d[i])) throw py::value_error(std::string(name) + " contains " + format_value(d[i]));
    }
    return t;
}

Array from_transform(const Transform& t) {
    Array out({4, 4});
    double* d = out.mutable_data();
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) d[4 * r + c] = t.rotation[3 * r + c];
        d[4 * r + 3] = t.translation[r];
    }
    d[12] = d[13] = d[14] = 0.0;
    d[15] = 1.0;
    return out;
}

Vec3 to_vec3(const Array& a, const char* name) {
    if (a.ndim() != 1 || a.shape(0) != 3) throw py::value_error(std::string(name) + " must have 3 values");
    return {a.data()[0], a.data()[1], a.data()[2]};
}

std::vector<double> joint_vector(const Chain& chain, const Array& q, const char* name) {
    std::vector<double> v = to_vector(q, name);
    if (v.size() != chain.dof()) {
        throw py::value_error(std::string(name) + " has " + std::to_string(v.size()) +
                              " values but the chain has " + std::to_string(chain.dof()) + " joints");
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v[i])) {
            throw py::value_error(std::string(name) + "[" + std::to_string(i) + "] (joint '" +
                                  chain.joint(i).name + "') is " + format_value(v[i]));
        }
    }
    return v;
}

Chain make_chain(const py::list& joints, const Array& tip) {
    std::vector<ChainJoint> out;
    for (const py::handle& item : joints) {
        const auto spec = item.cast<py::tuple>();
        ChainJoint j;
        j.name = spec[0].cast<std::string>();
        const auto type = spec[1].cast<std::string>();
        if (type != "revolute" && type != "prismatic") {
            throw py::value_error("joint '" + j.name + "': type '" + type +
                                  "' is not movable (revolute or prismatic)");
        }
        j.type = type == "revolute" ? JointType::kRevolute : JointType::kPrismatic;
        j.origin = to_transform4(spec[2].cast<Array>(), "joint origin");
        j.axis = to_vec3(spec[3].cast<Array>(), "joint axis");
        const double n = norm(j.axis);
        if (!(n > 0.0)) throw py::value_error("joint '" + j.name + "': axis is zero");
        j.axis = (1.0 / n) * j.axis;
        j.lower = spec[4].cast<double>();
        j.upper = spec[5].cast<double>();
        if (!(j.lower <= j.upper)) {
            throw py::value_error("joint '" + j.name + "': lower limit " + format_value(j.lower) +
                                  " is above upper limit " + format_value(j.upper));
        }
        out.push_back(j);
    }
    if (out.size() > Chain::kMaxDof) {
        throw py::value_error("the chain has " + std::to_string(out.size()) + " movable joints; at most " +
                              std::to_string(Chain::kMaxDof) + " are supported");
    }
    if (out.empty()) throw py::value_error("a chain needs at least one movable joint");
    return Chain(std::move(out), to_transform4(tip, "tip"));
}

Pose pose_of(const Array& m, const char* name) { return to_pose(to_transform4(m, name)); }

const char* cartesian_status_name(CartesianStatus s) {
    switch (s) {
        case CartesianStatus::kOk: return "ok";
        case CartesianStatus::kInvalidInput: return "invalid";
        case CartesianStatus::kUnreachable: return "unreachable";
        case CartesianStatus::kJointLimits: return "joint_limits";
        case CartesianStatus::kSingular: return "singular";
    }
    return "unknown";
}

}  // namespace

PYBIND11_MODULE(_motion, m) {
    m.doc() = "cellctl native motion core: time-optimal jerk-limited joint trajectories";
    m.attr("__version__") = CELLCTL_VERSION;

    py::class_<JointTrajectory>(m, "JointTrajectory")
        .def_property_readonly("duration", &JointTrajectory::duration, "Duration in seconds.")
        .def_property_readonly("dof", &JointTrajectory::dof, "Number of joints.")
        .def_property_readonly("phase_synchronized", &JointTrajectory::phase_synchronized,
                               "True when all joints move on one straight line in joint space.")
        .def("sample", &sample, py::arg("times"),
             "Positions, velocities, accelerations and jerks at `times`, each (N, dof).")
        .def("phases", &phases, py::arg("joint"),
             "The (duration, jerk) phases of one joint's profile.")
        .def("__repr__", [](const JointTrajectory& t) {
            return "<JointTrajectory dof=" + std::to_string(t.dof()) +
                   " duration=" + format_value(t.duration()) +
                   (t.phase_synchronized() ? " phase-synchronized>" : " time-synchronized>");
        });

    m.def(
        "plan_ptp",
        [](const Array& start, const Array& goal, const Array& limits, const Array& v0,
           const Array& a0, const std::vector<std::string>& names) {
            PtpRequest rq;
            rq.limits = to_limits(limits);
            const std::size_t dof = rq.limits.size();
            rq.start = to_vector(start, "start");
            rq.goal = to_vector(goal, "goal");
            rq.start_velocity = to_vector(v0, "start_velocity");
            rq.start_acceleration = to_vector(a0, "start_acceleration");
            check_length(rq.start, dof, "start");
            check_length(rq.goal, dof, "goal");
            check_length(rq.start_velocity, dof, "start_velocity");
            check_length(rq.start_acceleration, dof, "start_acceleration");
            JointTrajectory out;
            // Microseconds of work: releasing the GIL would cost more than it frees.
            const PlanError e = plan_ptp(rq, out);
            if (e.status != PlanStatus::kOk) raise(e, names, rq.limits);
            return out;
        },
        py::arg("start"), py::arg("goal"), py::arg("limits"), py::arg("start_velocity"),
        py::arg("start_acceleration"),
        py::arg("names") = std::vector<std::string>{},
        "Time-optimal synchronised jerk-limited move from a start state to a goal at rest.");

    m.def(
        "plan_stop",
        [](const Array& position, const Array& velocity, const Array& acceleration,
           const Array& limits_table, const std::vector<std::string>& names) {
            const auto limits = to_limits(limits_table);
            const auto p = to_vector(position, "position"), v = to_vector(velocity, "velocity"),
                       a = to_vector(acceleration, "acceleration");
            check_length(p, limits.size(), "position");
            check_length(v, limits.size(), "velocity");
            check_length(a, limits.size(), "acceleration");
            JointTrajectory out;
            const PlanError e = plan_stop(p, v, a, limits, out);
            if (e.status != PlanStatus::kOk) raise(e, names, limits);
            return out;
        },
        py::arg("position"), py::arg("velocity"), py::arg("acceleration"), py::arg("limits"),
        py::arg("names") = std::vector<std::string>{},
        "Bring every joint to rest as fast as the limits allow.");
    // ---- kinematics ----------------------------------------------------------------------
    py::class_<Chain>(m, "Chain")
        .def(py::init(&make_chain), py::arg("joints"), py::arg("tip"),
             "joints: [(name, 'revolute'|'prismatic', origin 4x4, axis, lower, upper)], tip: 4x4.")
        .def_property_readonly("dof", &Chain::dof)
        .def_property_readonly("reach", &Chain::reach)
        .def("fk", [](const Chain& c, const Array& q) {
            const auto v = joint_vector(c, q, "q");
            return from_transform(c.fk(v.data()));
        }, py::arg("q"))
        .def("jacobian", [](const Chain& c, const Array& q) {
            const auto v = joint_vector(c, q, "q");
            Array out({static_cast<std::size_t>(6), c.dof()});
            c.jacobian(v.data(), out.mutable_data());
            return out;
        }, py::arg("q"))
        .def("ik", [](const Chain& c, const Array& pose, const Array& seed, double position_tolerance,
                      double orientation_tolerance, int max_iterations, int max_attempts,
                      std::uint64_t random_seed) {
            const Transform target = to_transform4(pose, "pose");
            const auto q0 = joint_vector(c, seed, "seed");
            IkOptions o{position_tolerance, orientation_tolerance, max_iterations, max_attempts, random_seed};
            IkResult r;
            {
                py::gil_scoped_release release;
                r = c.ik(target, q0.data(), o);
            }
            static const char* names[] = {"ok", "unreachable", "singular", "joint_limits", "invalid"};
            Array q(static_cast<py::ssize_t>(r.q.size()), r.q.data());
            return py::make_tuple(names[static_cast<int>(r.status)], q, r.position_error,
                                  r.orientation_error, r.iterations, r.attempts);
        }, py::arg("pose"), py::arg("seed"), py::arg("position_tolerance") = 1e-10,
           py::arg("orientation_tolerance") = 1e-9, py::arg("max_iterations") = 300,
           py::arg("max_attempts") = 50, py::arg("random_seed") = 0x5eed,
           "(status, q, position_error, orientation_error, iterations, attempts)");

    // ---- Cartesian paths -----------------------------------------------------------------
    py::class_<PathSegment>(m, "PathSegment")
        .def_property_readonly("length", &PathSegment::length)
        .def_property_readonly("translation_length", &PathSegment::translation_length)
        .def_property_readonly("rotation_angle", &PathSegment::rotation_angle)
        .def_property_readonly("is_arc", &PathSegment::is_arc)
        .def("pose", [](const PathSegment& seg, double s) { return from_transform(to_transform(seg.at(s))); });
    m.def("line_segment", [](const Array& start, const Array& end, double rotation_radius) {
        return PathSegment::line(pose_of(start, "start pose"), pose_of(end, "goal pose"), rotation_radius);
    }, py::arg("start"), py::arg("end"), py::arg("rotation_radius"));
    m.def("arc_through", [](const Array& start, const Array& via, const Array& end, double rotation_radius) {
        PathSegment seg;
        if (!PathSegment::arc_through(pose_of(start, "start pose"), to_vec3(via, "via"),
                                      pose_of(end, "goal pose"), rotation_radius, seg)) {
            throw py::value_error("the via point lies on the line from start to goal: no unique circle");
        }
        return seg;
    }, py::arg("start"), py::arg("via"), py::arg("end"), py::arg("rotation_radius"));
    m.def("arc_about", [](const Array& start, const Array& center, const Array& end, const Array& normal,
                          double rotation_radius, double radius_tolerance) {
        PathSegment seg;
        if (!PathSegment::arc_about(pose_of(start, "start pose"), to_vec3(center, "center"),
                                    pose_of(end, "goal pose"), to_vec3(normal, "normal"),
                                    rotation_radius, radius_tolerance, seg)) {
            throw py::value_error(
                "start and goal are not on one circle about the centre (their distances to it "
                "differ, they are not in the plane of the normal, or they are opposite and no "
                "normal was given)");
        }
        return seg;
    }, py::arg("start"), py::arg("center"), py::arg("end"), py::arg("normal"),
       py::arg("rotation_radius"), py::arg("radius_tolerance"));

    py::class_<CartesianTrajectory>(m, "CartesianTrajectory")
        .def_property_readonly("duration", &CartesianTrajectory::duration)
        .def_property_readonly("dof", &CartesianTrajectory::dof)
        .def_property_readonly("time_scale", &CartesianTrajectory::time_scale)
        .def_property_readonly("length", [](const CartesianTrajectory& t) { return t.path().length(); })
        .def("sample", [](const CartesianTrajectory& t, const Array& times) {
            const std::size_t n = static_cast<std::size_t>(times.shape(0)), dof = t.dof();
            Array q({n, dof}), v({n, dof}), a({n, dof}), j({n, dof});
            {
                py::gil_scoped_release release;
                t.sample(times.data(), n, q.mutable_data(), v.mutable_data(), a.mutable_data(), j.mutable_data());
            }
            return py::make_tuple(q, v, a, j);
        }, py::arg("times"))
        .def("positions", [](const CartesianTrajectory& t, const Array& times) {
            const std::size_t n = static_cast<std::size_t>(times.shape(0));
            Array q({n, t.dof()});
            {
                py::gil_scoped_release release;
                t.sample(times.data(), n, q.mutable_data(), nullptr, nullptr, nullptr);
            }
            return q;
        }, py::arg("times"))
        .def("poses", [](const CartesianTrajectory& t, const Array& times) {
            const std::size_t n = static_cast<std::size_t>(times.shape(0));
            Array out({n, static_cast<std::size_t>(4), static_cast<std::size_t>(4)});
            t.poses(times.data(), n, out.mutable_data());
            return out;
        }, py::arg("times"))
        .def("path_state", [](const CartesianTrajectory& t, double time) {
            const AxisState s = t.path_state(time);
            return py::make_tuple(s.position, s.velocity, s.acceleration, s.jerk);
        }, py::arg("time"));

    m.def("plan_cartesian", [](const Chain& chain, const Array& start_q, const std::vector<PathSegment>& segments,
                               const std::vector<double>& blends, const Array& joint_limits,
                               const std::vector<double>& cartesian, double grid_step,
                               double min_singular_value, double max_joint_step) {
        const auto q0 = joint_vector(chain, start_q, "start_q");
        const auto limits = to_limits(joint_limits);
        if (limits.size() != chain.dof()) {
            throw py::value_error("joint limits describe " + std::to_string(limits.size()) +
                                  " joints but the chain has " + std::to_string(chain.dof()));
        }
        if (cartesian.size() != 6) throw py::value_error("cartesian limits need 6 values");
        const CartesianLimits cl{cartesian[0], cartesian[1], cartesian[2], cartesian[3], cartesian[4], cartesian[5]};
        CartesianTrajectory out;
        CartesianError e;
        {
            py::gil_scoped_release release;
            e = CartesianTrajectory::plan(chain, q0, CartesianPath(segments, blends), limits, cl,
                                          {grid_step, min_singular_value, max_joint_step}, out);
        }
        if (e.status != CartesianStatus::kOk) {
            // A structured PathError (a ValueError); the Python layer words it with move names.
            const py::object cls = py::module_::import("cellctl.motion.errors").attr("PathError");
            const py::object err = cls(cartesian_status_name(e.status), e.move, e.fraction, e.joint, e.detail);
            PyErr_SetObject(cls.ptr(), err.ptr());
            throw py::error_already_set();
        }
        return out;
    }, py::arg("chain"), py::arg("start_q"), py::arg("segments"), py::arg("blends"),
       py::arg("joint_limits"), py::arg("cartesian_limits"), py::arg("grid_step") = 5e-4,
       py::arg("min_singular_value") = 2e-3, py::arg("max_joint_step") = 0.05);
}
