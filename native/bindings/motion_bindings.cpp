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

/// Read-only float64 values of an argument. A C-contiguous, aligned, native-order float64 numpy
/// array (what cellctl.motion passes) is read in place: no copy and no numpy call, which is
/// most of a microsecond-scale call's cost. Anything else (lists, other dtypes, strided views)
/// is converted once by numpy.
class Float64View {
public:
    Float64View(py::handle arg, const char* name) {
        if (!in_place(arg)) {
            converted_ = Array::ensure(arg);
            if (!converted_) {
                PyErr_Clear();
                throw py::value_error(std::string(name) + " must be an array of numbers");
            }
            arg = converted_;
        }
        const auto* a = py::detail::array_proxy(arg.ptr());
        data_ = reinterpret_cast<const double*>(a->data);
        ndim_ = a->nd;
        for (int i = 0; i < ndim_ && i < 2; ++i) shape_[i] = static_cast<std::size_t>(a->dimensions[i]);
    }

    const double* data() const { return data_; }
    int ndim() const { return ndim_; }
    std::size_t shape(int i) const { return shape_[i]; }

    /// The values of a 1-D argument, which must hold `dof` of them.
    const double* vector(std::size_t dof, const char* name) const {
        if (ndim_ != 1) {
            throw py::value_error(std::string(name) + " must be a 1-D sequence of numbers, got " +
                                  std::to_string(ndim_) + " dimensions");
        }
        if (shape_[0] != dof) {
            throw py::value_error(std::string(name) + " has " + std::to_string(shape_[0]) +
                                  " values but the limits describe " + std::to_string(dof) +
                                  " joints");
        }
        return data_;
    }

private:
    static bool in_place(py::handle arg) {
        const auto& api = py::detail::npy_api::get();
        if (!api.PyArray_Check_(arg.ptr())) return false;
        const auto* a = py::detail::array_proxy(arg.ptr());
        const auto* d = py::detail::array_descriptor_proxy(a->descr);
        constexpr int kNeeded = py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_ |
                                py::detail::npy_api::NPY_ARRAY_ALIGNED_;
        return d->type_num == py::detail::npy_api::NPY_DOUBLE_ && d->byteorder == '=' &&
               (a->flags & kNeeded) == kNeeded;
    }

    py::object converted_;
    const double* data_ = nullptr;
    int ndim_ = 0;
    std::size_t shape_[2] = {0, 0};
};

inline bool any_object(PyObject*) { return true; }

/// An argument pybind11 passes through untouched (Float64View reads it), annotated in the
/// generated stub as array-like float64.
class ArrayLikeArg : public py::object {
public:
    PYBIND11_OBJECT_DEFAULT(ArrayLikeArg, py::object, any_object)
};

/// Optional joint names, passed through untouched and read only to word an error.
class NamesArg : public py::object {
public:
    PYBIND11_OBJECT_DEFAULT(NamesArg, py::object, any_object)
};

/// (positions, velocities, accelerations, jerks), each (n, dof).
class SampleTuple : public py::tuple {
public:
    explicit SampleTuple(py::tuple t) : py::tuple(std::move(t)) {}
};

}  // namespace

namespace pybind11::detail {
template <>
struct handle_type_name<ArrayLikeArg> {
    static constexpr auto name = const_name("typing.Annotated[numpy.typing.ArrayLike, numpy.float64]");
};
template <>
struct handle_type_name<NamesArg> {
    static constexpr auto name = const_name("collections.abc.Sequence[str] | None");
};
template <>
struct handle_type_name<SampleTuple> {
    static constexpr auto name = const_name(
        "tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], "
        "numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]");
};
}  // namespace pybind11::detail

namespace {

/// Joint names for an error message: converted only when an error is raised.
std::vector<std::string> names_of(const py::object& names) {
    if (names.is_none()) return {};
    return names.cast<std::vector<std::string>>();
}

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
std::vector<AxisLimits> to_limits(const Float64View& table) {
    if (table.ndim() != 2 || table.shape(0) != 3) {
        throw py::value_error("limits must be a (3, dof) array of velocity, acceleration, jerk");
    }
    const std::size_t dof = table.shape(1);
    const double* row = table.data();
    std::vector<AxisLimits> out(dof);
    for (std::size_t i = 0; i < dof; ++i) out[i] = {row[i], row[dof + i], row[2 * dof + i]};
    return out;
}

/// The sample times of a `sample`-like call: a 1-D array of seconds.
Array sample_times(const Array& times) {
    if (times.ndim() != 1) {
        throw py::value_error("times must be a 1-D array of seconds, got " +
                              std::to_string(times.ndim()) + " dimensions");
    }
    return times;
}

/// Positions, velocities, accelerations and jerks (each (n, dof)) from a core sampler
/// `fill(times, n, p, v, a, j)`, run without the GIL.
template <class Fill>
SampleTuple sample_all(std::size_t dof, const Array& times_arg, Fill&& fill) {
    const Array times = sample_times(times_arg);
    const std::size_t n = static_cast<std::size_t>(times.shape(0));
    Array p({n, dof}), v({n, dof}), a({n, dof}), j({n, dof});
    {
        py::gil_scoped_release release;
        fill(times.data(), n, p.mutable_data(), v.mutable_data(), a.mutable_data(), j.mutable_data());
    }
    return SampleTuple(py::make_tuple(p, v, a, j));
}

SampleTuple sample(const JointTrajectory& traj, const Array& times) {
    // Times are checked finite by cellctl.motion.
    return sample_all(traj.dof(), times, [&](const double* t, std::size_t n, double* p, double* v,
                                             double* a, double* j) { traj.sample(t, n, p, v, a, j); });
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

/// Converts the Python description; the core validates it (Chain::create) and says what is wrong.
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
        j.lower = spec[4].cast<double>();
        j.upper = spec[5].cast<double>();
        out.push_back(std::move(j));
    }
    Chain chain;
    const ChainError e = Chain::create(std::move(out), to_transform4(tip, "tip"), chain);
    if (!e.ok()) throw py::value_error(e.message);
    return chain;
}

Pose pose_of(const Array& m, const char* name) { return to_pose(to_transform4(m, name)); }

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
        [](const ArrayLikeArg& start, const ArrayLikeArg& goal, const ArrayLikeArg& limits,
           const ArrayLikeArg& v0, const ArrayLikeArg& a0, const NamesArg& names) {
            const Float64View table(limits, "limits");
            if (table.ndim() != 2 || table.shape(0) != 3) {
                throw py::value_error("limits must be a (3, dof) array of velocity, acceleration, jerk");
            }
            const std::size_t dof = table.shape(1);
            const Float64View p0(start, "start"), pf(goal, "goal"), v(v0, "start_velocity"),
                a(a0, "start_acceleration");
            PtpView rq;
            rq.dof = dof;
            rq.start = p0.vector(dof, "start");
            rq.goal = pf.vector(dof, "goal");
            rq.start_velocity = v.vector(dof, "start_velocity");
            rq.start_acceleration = a.vector(dof, "start_acceleration");
            rq.limits = table.data();
            JointTrajectory out;
            // Microseconds of work: releasing the GIL would cost more than it frees.
            const PlanError e = plan_ptp(rq, out);
            if (e.status != PlanStatus::kOk) raise(e, names_of(names), to_limits(table));
            return out;
        },
        py::arg("start"), py::arg("goal"), py::arg("limits"), py::arg("start_velocity"),
        py::arg("start_acceleration"), py::arg("names") = py::none(),
        "Time-optimal synchronised jerk-limited move from a start state to a goal at rest.\n\n"
        "Arrays are float64 (C-contiguous float64 numpy arrays are read without a copy); limits "
        "is (3, dof): velocity, acceleration, jerk rows. names (joint names) word errors.");

    m.def(
        "plan_stop",
        [](const ArrayLikeArg& position, const ArrayLikeArg& velocity,
           const ArrayLikeArg& acceleration, const ArrayLikeArg& limits_table, const NamesArg& names) {
            const auto limits = to_limits(Float64View(limits_table, "limits"));
            const std::size_t dof = limits.size();
            auto values = [dof](const ArrayLikeArg& arg, const char* name) {
                const Float64View view(arg, name);
                const double* data = view.vector(dof, name);
                return std::vector<double>(data, data + dof);
            };
            const auto p = values(position, "position"), v = values(velocity, "velocity"),
                       a = values(acceleration, "acceleration");
            JointTrajectory out;
            const PlanError e = plan_stop(p, v, a, limits, out);
            if (e.status != PlanStatus::kOk) raise(e, names_of(names), limits);
            return out;
        },
        py::arg("position"), py::arg("velocity"), py::arg("acceleration"), py::arg("limits"),
        py::arg("names") = py::none(),
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
            const IkOptions o{position_tolerance, orientation_tolerance, max_iterations, max_attempts,
                              random_seed};
            IkResult r;
            {
                py::gil_scoped_release release;
                r = c.ik(target, q0, o);
            }
            if (r.status == IkStatus::kInvalidInput) throw py::value_error(std::string("ik: ") + r.invalid);
            Array q(static_cast<py::ssize_t>(r.q.size()), r.q.data());
            return py::make_tuple(to_string(r.status), q, r.position_error, r.orientation_error,
                                  r.iterations, r.attempts);
        }, py::arg("pose"), py::arg("seed"),
           // The defaults are the core's (IkOptions), written nowhere else.
           py::arg("position_tolerance") = IkOptions{}.position_tolerance,
           py::arg("orientation_tolerance") = IkOptions{}.orientation_tolerance,
           py::arg("max_iterations") = IkOptions{}.max_iterations,
           py::arg("max_attempts") = IkOptions{}.max_attempts,
           py::arg("random_seed") = IkOptions{}.random_seed,
           "(status, q, position_error, orientation_error, iterations, attempts); status is 'ok', "
           "'unreachable', 'singular' or 'joint_limits'. Invalid input raises ValueError.");

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
            return sample_all(t.dof(), times, [&](const double* tt, std::size_t n, double* q, double* v,
                                                  double* a, double* j) { t.sample(tt, n, q, v, a, j); });
        }, py::arg("times"))
        .def("positions", [](const CartesianTrajectory& t, const Array& times_arg) {
            const Array times = sample_times(times_arg);
            const std::size_t n = static_cast<std::size_t>(times.shape(0));
            Array q({n, t.dof()});
            {
                py::gil_scoped_release release;
                t.sample(times.data(), n, q.mutable_data(), nullptr, nullptr, nullptr);
            }
            return q;
        }, py::arg("times"))
        .def("poses", [](const CartesianTrajectory& t, const Array& times_arg) {
            const Array times = sample_times(times_arg);
            const std::size_t n = static_cast<std::size_t>(times.shape(0));
            Array out({n, static_cast<std::size_t>(4), static_cast<std::size_t>(4)});
            {
                py::gil_scoped_release release;
                t.poses(times.data(), n, out.mutable_data());
            }
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
        const auto limits = to_limits(Float64View(joint_limits, "joint_limits"));  // count: the core
        if (cartesian.size() != 6) throw py::value_error("cartesian limits need 6 values");
        const CartesianLimits cl{cartesian[0], cartesian[1], cartesian[2], cartesian[3], cartesian[4], cartesian[5]};
        if (blends.size() != segments.size()) {
            throw py::value_error("blends must have one radius per segment");
        }
        const CartesianPlanOptions options{grid_step, min_singular_value, max_joint_step};
        CartesianTrajectory out;
        CartesianError e;
        {
            py::gil_scoped_release release;
            e = CartesianTrajectory::plan(chain, q0, CartesianPath(segments, blends), limits, cl,
                                          options, out);
        }
        if (e.status != CartesianStatus::kOk) {
            // A structured PathError (a ValueError); the Python layer words it with move names.
            const py::object cls = py::module_::import("cellctl.motion.errors").attr("PathError");
            const py::object err = cls(to_string(e.status), e.move, e.fraction, e.joint, e.detail);
            PyErr_SetObject(cls.ptr(), err.ptr());
            throw py::error_already_set();
        }
        return out;
    }, py::arg("chain"), py::arg("start_q"), py::arg("segments"), py::arg("blends"),
       py::arg("joint_limits"), py::arg("cartesian_limits"),
       // The defaults are the core's (CartesianPlanOptions), written nowhere else.
       py::arg("grid_step") = CartesianPlanOptions{}.grid_step,
       py::arg("min_singular_value") = CartesianPlanOptions{}.min_singular_value,
       py::arg("max_joint_step") = CartesianPlanOptions{}.max_joint_step);
}
