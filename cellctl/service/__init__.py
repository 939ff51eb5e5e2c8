"""The cell as a service: the supervisor's topics, services, action and parameters carried on
Zenoh in ROS 2's wire format (CDR, rmw_zenoh key expressions), with token-guarded commands.
See ``docs/service.md``."""

DEFAULT_ENDPOINT = "tcp/127.0.0.1:7448"
"""Where ``serve`` listens and clients connect unless told otherwise (loopback only)."""
