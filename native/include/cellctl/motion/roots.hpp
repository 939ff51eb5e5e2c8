// Bracketed scalar root finding used by the planners.
#pragma once

#include <cmath>
#include <utility>

namespace cellctl::motion {

/// Root of f in [lo, hi] given f(lo) and f(hi) of opposite sign (or one of them zero), by the
/// Anderson-Björck variant of regula falsi: superlinear (fewer evaluations than Illinois on
/// the planners' smooth residuals), never leaves the bracket.
template <class F>
double refine_root(F&& f, double lo, double hi, double f_lo, double f_hi) {
    if (f_lo == 0.0) return lo;
    if (f_hi == 0.0) return hi;
    if (lo > hi) {
        std::swap(lo, hi);
        std::swap(f_lo, f_hi);
    }
    int side = 0;
    for (int it = 0; it < 100; ++it) {
        const double x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
        const double mid = (x > lo && x < hi) ? x : 0.5 * (lo + hi);
        const double fm = f(mid);
        if (fm == 0.0 || !(hi - lo > 4e-16 * (std::abs(lo) + std::abs(hi)) + 1e-300)) {
            return mid;
        }
        // Anderson-Bjorck: when the same end is kept twice, its value is scaled down by
        // m = 1 - fm / f(replaced end) (or halved, as Illinois, when m <= 0).
        if ((fm < 0.0) == (f_lo < 0.0)) {
            if (side == -1) {
                const double m = 1.0 - fm / f_lo;
                f_hi *= m > 0.0 ? m : 0.5;
            }
            lo = mid;
            f_lo = fm;
            side = -1;
        } else {
            if (side == 1) {
                const double m = 1.0 - fm / f_hi;
                f_lo *= m > 0.0 ? m : 0.5;
            }
            hi = mid;
            f_hi = fm;
            side = 1;
        }
    }
    return 0.5 * (lo + hi);
}

/// Calls on_root(x) for every sign change of f found on a grid of `cells` cells over [lo, hi].
template <class F, class G>
void for_each_root(F&& f, double lo, double hi, int cells, G&& on_root) {
    if (!(hi >= lo)) return;
    double x0 = lo;
    double f0 = f(x0);
    if (f0 == 0.0) on_root(x0);  // NaN marks points outside the family: never a root
    for (int i = 1; i <= cells; ++i) {
        const double x1 = (i == cells) ? hi : lo + (hi - lo) * i / cells;
        const double f1 = f(x1);
        if (f1 == 0.0) {
            on_root(x1);
        } else if (f0 != 0.0 && !std::isnan(f0) && !std::isnan(f1) && (f0 < 0.0) != (f1 < 0.0)) {
            on_root(refine_root(f, x0, x1, f0, f1));
        }
        x0 = x1;
        f0 = f1;
    }
}

}  // namespace cellctl::motion
