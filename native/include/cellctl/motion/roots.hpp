// Bracketed scalar root finding used by the planners.
#pragma once

#include <cmath>
#include <utility>

namespace cellctl::motion {

/// Root of f in [lo, hi] given f(lo) and f(hi) of opposite sign (or one of them zero), by the
/// Illinois variant of regula falsi: superlinear, never leaves the bracket.
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
        if ((fm < 0.0) == (f_lo < 0.0)) {
            lo = mid;
            f_lo = fm;
            if (side == -1) f_hi *= 0.5;
            side = -1;
        } else {
            hi = mid;
            f_hi = fm;
            if (side == 1) f_lo *= 0.5;
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
