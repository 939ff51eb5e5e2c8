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
    const std::size_t dof = traj.dof();
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(times.data()[i])) {
            throw py::value_error("times[" + std::to_string(i) + "] is " +
                                  format_value(times.data()[i]) + "; sample times must be finite");
        }
    }
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
}
