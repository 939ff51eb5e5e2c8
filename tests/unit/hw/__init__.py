"""Tests of cellctl.hw: the hardware-interface contract."""
