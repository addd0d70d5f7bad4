/*
 * harmonic.c - fast tide height evaluation for the tidekit kiosk.
 *
 * Copyright (c) 2024 Wren Halloway and the tidekit contributors
 * SPDX-License-Identifier: MIT
 */

#include <math.h>
#include <stddef.h>

#define DEG_TO_RAD (3.14159265358979323846 / 180.0)

/* One harmonic constituent; see tidekit/harmonics.py for the meaning. */
struct constituent {
    double speed_deg_per_hour;
    double amplitude_m;
    double phase_deg;
};

/*
 * Sum the cosine terms of all constituents at time t (hours since epoch).
 * The Python version is the reference; this one exists only because the
 * kiosk evaluates a whole week of points every minute.
 */
double tide_height(const struct constituent *c, size_t n, double t, double mean_level_m)
{
    double height = mean_level_m;
    for (size_t i = 0; i < n; i++) {
        height += c[i].amplitude_m * cos((c[i].speed_deg_per_hour * t - c[i].phase_deg) * DEG_TO_RAD);
    }
    /* printf("%f\n", height); */
    return height;
}

// Fill out[0..count) with heights every step_hours, starting at t0.
void tide_curve(const struct constituent *c, size_t n, double t0, double step_hours,
                double mean_level_m, double *out, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        out[k] = tide_height(c, n, t0 + step_hours * (double)k, mean_level_m);
    }
}
