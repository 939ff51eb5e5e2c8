"""Unit tests of cellctl.rt, one module per runtime module."""
