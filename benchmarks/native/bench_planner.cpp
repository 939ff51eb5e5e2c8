// Planning time of the C++ core alone (no Python), on random 7-axis problems.
// Build and run from the repository root (CMake option CELLCTL_BUILD_BENCHMARKS):
//   cmake -S . -B build/cpp -DCELLCTL_BUILD_BENCHMARKS=ON && cmake --build build/cpp -j2
//   build/cpp/bench_planner && build/cpp/bench_planner moving
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "cellctl/motion/joint_planner.hpp"
#include "cellctl/motion/single_axis.hpp"

using namespace cellctl::motion;

namespace {

std::vector<PtpRequest> random_requests(int n, bool moving, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<PtpRequest> requests(n);
    for (PtpRequest& rq : requests) {
        rq.start.resize(7);
        rq.goal.resize(7);
        rq.start_velocity.assign(7, 0.0);
        rq.start_acceleration.assign(7, 0.0);
        rq.limits.resize(7);
        for (int i = 0; i < 7; ++i) {
            AxisLimits& l = rq.limits[i];
            l = {0.3 + 2.7 * u(rng), 1.0 + 14.0 * u(rng), 5.0 + 195.0 * u(rng)};
            rq.start[i] = -3.0 + 6.0 * u(rng);
            rq.goal[i] = -3.0 + 6.0 * u(rng);
            while (moving) {
                const double v = (2.0 * u(rng) - 1.0) * l.velocity;
                const double a = (2.0 * u(rng) - 1.0) * l.acceleration;
                if (start_state_consistent(v, a, l, 0.0)) {
                    rq.start_velocity[i] = v;
                    rq.start_acceleration[i] = a;
                    break;
                }
            }
        }
    }
    return requests;
}

template <class F>
double best_seconds_per_item(int items, F&& pass) {
    double best = 1e9;
    for (int r = 0; r < 15; ++r) {  // best of 15: the project machine is shared
        const auto t0 = std::chrono::steady_clock::now();
        pass();
        const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::min(best, dt / items);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const bool moving = argc > 1 && std::strcmp(argv[1], "moving") == 0;
    const int n = 20000;
    std::mt19937_64 rng(1);
    const std::vector<PtpRequest> requests = random_requests(n, moving, rng);
    JointTrajectory out;
    const double plan = best_seconds_per_item(n, [&] {
        for (const PtpRequest& rq : requests) plan_ptp(rq, out);
    });
    Profile profile;
    const double optimal = best_seconds_per_item(n, [&] {
        for (const PtpRequest& rq : requests) {
            for (int i = 0; i < 7; ++i) {
                plan_time_optimal(rq.start[i], rq.start_velocity[i], rq.start_acceleration[i],
                                  rq.goal[i], rq.limits[i], profile);
            }
        }
    });
    std::printf("%s, 7 axes: plan_ptp %.2f us, of which 7 time-optimal profiles %.2f us\n",
                moving ? "from moving state" : "from rest", plan * 1e6, optimal * 1e6);
    return 0;
}
