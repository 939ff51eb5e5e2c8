// A minimal test harness for the motion core: no framework to download, nothing but the
// standard library, so the tests build wherever the core builds (a controller's toolchain too).
//
//   TEST(name) { CHECK(x > 0); CHECK_NEAR(a, b, 1e-9); }
//
// Each test file is one executable (one ctest entry); main() runs every TEST in it, prints one
// line per failed check with file:line and the values, and returns non-zero when any failed.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace cellctl::test {

struct Case {
    const char* name;
    std::function<void()> body;
};

inline std::vector<Case>& registry() {
    static std::vector<Case> cases;
    return cases;
}

inline int& failures() {
    static int count = 0;
    return count;
}

struct Register {
    Register(const char* name, std::function<void()> body) {
        registry().push_back({name, std::move(body)});
    }
};

inline void report(const char* file, int line, const std::string& what) {
    ++failures();
    std::printf("%s:%d: FAILED %s\n", file, line, what.c_str());
}

inline std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace cellctl::test

#define CELLCTL_CONCAT_(a, b) a##b
#define CELLCTL_CONCAT(a, b) CELLCTL_CONCAT_(a, b)

#define TEST(name)                                                                \
    static void name();                                                           \
    static const ::cellctl::test::Register CELLCTL_CONCAT(register_, name){#name, \
                                                                           name}; \
    static void name()

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) ::cellctl::test::report(__FILE__, __LINE__, #cond);   \
    } while (0)

/// |a - b| <= tol (NaN never passes).
#define CHECK_NEAR(a, b, tol)                                                                  \
    do {                                                                                       \
        const double check_a_ = (a), check_b_ = (b), check_tol_ = (tol);                      \
        if (!(std::abs(check_a_ - check_b_) <= check_tol_)) {                                  \
            ::cellctl::test::report(__FILE__, __LINE__,                                        \
                                    std::string(#a " == " #b ": ") +                           \
                                        ::cellctl::test::number(check_a_) + " vs " +           \
                                        ::cellctl::test::number(check_b_) + ", tolerance " +   \
                                        ::cellctl::test::number(check_tol_));                  \
        }                                                                                      \
    } while (0)

/// a <= b (NaN never passes).
#define CHECK_LE(a, b)                                                                        \
    do {                                                                                      \
        const double check_a_ = (a), check_b_ = (b);                                          \
        if (!(check_a_ <= check_b_)) {                                                        \
            ::cellctl::test::report(__FILE__, __LINE__,                                       \
                                    std::string(#a " <= " #b ": ") +                          \
                                        ::cellctl::test::number(check_a_) + " vs " +          \
                                        ::cellctl::test::number(check_b_));                   \
        }                                                                                     \
    } while (0)

/// Runs every registered test; `main` of each test executable.
#define CELLCTL_TEST_MAIN()                                                            \
    int main() {                                                                       \
        for (const auto& c : ::cellctl::test::registry()) {                            \
            const int before = ::cellctl::test::failures();                            \
            c.body();                                                                  \
            std::printf("%s %s\n", ::cellctl::test::failures() == before ? "ok  " : "FAIL", \
                        c.name);                                                       \
        }                                                                              \
        std::printf("%zu tests, %d failed checks\n", ::cellctl::test::registry().size(), \
                    ::cellctl::test::failures());                                      \
        return ::cellctl::test::failures() == 0 ? 0 : 1;                               \
    }
