# SPDX-License-Identifier: MIT
"""PearVisor GPU code generator: registry model, protocol data, emitters."""
