// Small dense linear algebra for 6-row Jacobians.
#pragma once

#include <cmath>
#include <cstddef>

namespace cellctl::motion {

/// Solves the symmetric positive definite 6x6 system a x = b in place by Cholesky
/// (a is overwritten by its factor). Returns false when a is not positive definite.
inline bool solve6(double a[36], double b[6]) {
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j <= i; ++j) {
            double s = a[6 * i + j];
            for (int k = 0; k < j; ++k) s -= a[6 * i + k] * a[6 * j + k];
            if (i == j) {
                if (!(s > 0.0)) return false;
                a[6 * i + i] = std::sqrt(s);
            } else {
                a[6 * i + j] = s / a[6 * j + j];
            }
        }
    }
    for (int i = 0; i < 6; ++i) {
        double s = b[i];
        for (int k = 0; k < i; ++k) s -= a[6 * i + k] * b[k];
        b[i] = s / a[6 * i + i];
    }
    for (int i = 5; i >= 0; --i) {
        double s = b[i];
        for (int k = i + 1; k < 6; ++k) s -= a[6 * k + i] * b[k];
        b[i] = s / a[6 * i + i];
    }
    return true;
}

/// out (dof) = J^T (J J^T + damping^2 I)^-1 e for a row-major 6 x dof J: the (damped)
/// minimum-norm solution of J out = e. Returns false when the system is singular.
inline bool damped_pseudo_inverse_apply(const double* jac, std::size_t dof, const double e[6],
                                        double damping, double* out) {
    double a[36], y[6];
    for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 6; ++c) {
            double s = 0.0;
            for (std::size_t k = 0; k < dof; ++k) s += jac[r * dof + k] * jac[c * dof + k];
            a[6 * r + c] = s + (r == c ? damping * damping : 0.0);
        }
        y[r] = e[r];
    }
    if (!solve6(a, y)) return false;
    for (std::size_t k = 0; k < dof; ++k) {
        double s = 0.0;
        for (int r = 0; r < 6; ++r) s += jac[r * dof + k] * y[r];
        out[k] = s;
    }
    return true;
}

}  // namespace cellctl::motion
