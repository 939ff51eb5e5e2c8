"""cellctl: a controller for a lights-out robotic assembly cell.

The package is layered (see ``docs/architecture.md``): ``cellctl.motion`` wraps the native
motion core, ``cellctl.hw`` is the hardware-interface contract that the simulation (``sim``)
and serial (``firmware_bridge``) backends implement, and ``cellctl.rt`` is the ROS 2-style runtime
the supervisor is built on.
"""

from cellctl._version import __version__

__all__ = ["__version__"]
