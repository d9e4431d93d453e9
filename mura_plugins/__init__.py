"""The built-in model families, each an entry point of the ``mura`` group.

Every module here declares its family's spec (the grammar of its names), a builder
and a ``register_families`` hook, exactly as a third-party plugin does. Modules import
Keras only inside builders, so loading the plugins stays instant.
"""
