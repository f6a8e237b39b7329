#!/usr/bin/env python3
"""Regenerates Sources/Models/ImageNetClasses.swift from data/imagenet-classes.txt."""
import pathlib
root = pathlib.Path(__file__).resolve().parent.parent
names = (root / "data/imagenet-classes.txt").read_text().splitlines()
assert len(names) == 1000, len(names)
lines = ["// Generated from data/imagenet-classes.txt by scripts/gen-imagenet-classes.py. Do not edit.", "",
         '/// The 1000 ImageNet-1k class names in class-index order (index 0 is "tench").',
         "public let imageNetClassNames: [String] = ["]
lines += ['    "%s",' % n.replace("\\", "\\\\").replace('"', '\\"') for n in names]
lines += ["]", ""]
(root / "Sources/Models/ImageNetClasses.swift").write_text("\n".join(lines))
