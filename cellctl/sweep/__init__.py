"""Sweeps: many simulated units with random failure injection, across worker processes (``cellctl sweep``)."""
