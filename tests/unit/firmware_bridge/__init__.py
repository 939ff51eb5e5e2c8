"""Tests of firmware_bridge: the serial protocol, host link, emulator and fault proxy."""
