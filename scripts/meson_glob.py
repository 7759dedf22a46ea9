#!/usr/bin/env python3
"""Prints the files matching each glob (relative to the source root), one per line,
sorted, so meson.build can mirror CMake's globbed targets."""
import glob
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for pattern in sys.argv[1:]:
    for path in sorted(glob.glob(os.path.join(root, pattern), recursive=True)):
        print(os.path.relpath(path, root))
